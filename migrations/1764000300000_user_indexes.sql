-- lab:no-transaction
-- The directive above (it must be the first line) makes the lab's runner apply this file
-- outside a transaction, one statement at a time: CREATE/DROP INDEX CONCURRENTLY refuse to run
-- inside a transaction block. CONCURRENTLY builds the index without blocking writes to users.
--
-- Without a transaction a failure can leave some statements applied, so every statement is
-- idempotent (IF NOT EXISTS / IF EXISTS) and a rerun finishes the job. One catch: a CONCURRENTLY
-- build that fails leaves an INVALID index behind, which IF NOT EXISTS would then skip; drop it
-- (DROP INDEX CONCURRENTLY <name>) before rerunning.

-- Up Migration
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_users_name ON users (first_name, last_name);

-- Keyset pagination, newest first: ORDER BY created_at DESC, id DESC.
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_users_created_at ON users (created_at DESC, id DESC);

-- Resharding selects one hash range of users: WHERE ring_hash >= $1 AND ring_hash < $2.
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_users_ring_hash ON users (ring_hash);

-- Down Migration
DROP INDEX CONCURRENTLY IF EXISTS idx_users_ring_hash;
DROP INDEX CONCURRENTLY IF EXISTS idx_users_created_at;
DROP INDEX CONCURRENTLY IF EXISTS idx_users_name;
