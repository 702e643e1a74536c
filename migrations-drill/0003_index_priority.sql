-- lab:no-transaction
-- Up Migration
-- CONCURRENTLY builds the index without blocking writes, and refuses to run inside a transaction: the
-- original's runner wrapped every migration in one, so it could never run this file.
SELECT lab_drill.hook('0003_index_priority');
CREATE INDEX CONCURRENTLY IF NOT EXISTS notes_priority_idx ON lab_drill.notes (priority);

-- Down Migration
DROP INDEX CONCURRENTLY IF EXISTS lab_drill.notes_priority_idx;
