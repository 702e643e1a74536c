-- Up Migration
-- Accounts are co-located with the user who owns them: every account gets its owner's id, and the
-- owner's ring point, so moving a user's hash range moves their accounts with them. accounts had no API
-- before this migration, so an account without a user_accounts row has no owner to move with: it is dropped.
ALTER TABLE accounts ADD COLUMN user_id uuid;
UPDATE accounts a SET user_id = ua.user_id FROM users_accounts ua WHERE ua.account_id = a.id;
DELETE FROM accounts WHERE user_id IS NULL;
ALTER TABLE accounts
  ALTER COLUMN user_id SET NOT NULL,
  ADD CONSTRAINT accounts_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  ADD COLUMN ring_hash bigint NOT NULL GENERATED ALWAYS AS (('x' || substr(md5(user_id::text), 1, 8))::bit(32)::bigint) STORED;
CREATE INDEX idx_accounts_user_id ON accounts (user_id);
CREATE INDEX idx_accounts_ring_hash ON accounts (ring_hash);

ALTER TABLE users_accounts
  ADD COLUMN ring_hash bigint NOT NULL GENERATED ALWAYS AS (('x' || substr(md5(user_id::text), 1, 8))::bit(32)::bigint) STORED;
CREATE INDEX idx_users_accounts_ring_hash ON users_accounts (ring_hash);

-- A claim on a username or e-mail that was abandoned (its creator never finished) is fenced here, on the
-- owner's shard, before anyone else may take the name: the late creator then finds the fence and gives up.
-- See docs/uniqueness.md.
CREATE TABLE abandoned_accounts (
  account_id   uuid        PRIMARY KEY,
  user_id      uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  ring_hash    bigint      NOT NULL GENERATED ALWAYS AS (('x' || substr(md5(user_id::text), 1, 8))::bit(32)::bigint) STORED,
  abandoned_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_abandoned_accounts_user_id ON abandoned_accounts (user_id);
CREATE INDEX idx_abandoned_accounts_ring_hash ON abandoned_accounts (ring_hash);

-- Down Migration
DROP TABLE abandoned_accounts;
ALTER TABLE users_accounts DROP COLUMN ring_hash;
ALTER TABLE accounts DROP COLUMN ring_hash, DROP COLUMN user_id;
