-- Up Migration
-- The messenger's movable tables get what users got in 1764000350000: ring_hash as a plain column that a
-- trigger keeps equal to the ring point of the row's sharding key, because logical replication (how a reshard
-- moves rows) cannot write into a generated column. DEFAULT 0 only lets clients (Prisma) omit the column: the
-- trigger always overwrites it before the row is stored.
ALTER TABLE users ALTER COLUMN ring_hash SET DEFAULT 0;

DO $$
DECLARE t record;
BEGIN
  FOR t IN SELECT * FROM (VALUES
      ('accounts', 'user_id'), ('users_accounts', 'user_id'), ('abandoned_accounts', 'user_id'),
      ('username_lookup', 'username'), ('email_lookup', 'email'),
      ('conversations', 'id'), ('conversation_members', 'conversation_id'), ('messages', 'conversation_id'),
      ('user_conversations', 'user_id')) AS v(tbl, key)
  LOOP
    EXECUTE format('ALTER TABLE %I ALTER COLUMN ring_hash DROP EXPRESSION', t.tbl);
    EXECUTE format('ALTER TABLE %I ALTER COLUMN ring_hash SET DEFAULT 0', t.tbl);
    EXECUTE format('CREATE TRIGGER %I BEFORE INSERT OR UPDATE OF %I, ring_hash ON %I FOR EACH ROW EXECUTE FUNCTION lab_set_ring_hash(%L)',
                   t.tbl || '_ring_hash', t.key, t.tbl, t.key);
  END LOOP;
END
$$;

-- Down Migration
-- Back to generated columns: values are recomputed, and the index on ring_hash is rebuilt with the column.
DO $$
DECLARE t record;
BEGIN
  FOR t IN SELECT * FROM (VALUES
      ('accounts', 'user_id::text'), ('users_accounts', 'user_id::text'), ('abandoned_accounts', 'user_id::text'),
      ('username_lookup', 'username'), ('email_lookup', 'email'),
      ('conversations', 'id::text'), ('conversation_members', 'conversation_id::text'), ('messages', 'conversation_id::text'),
      ('user_conversations', 'user_id::text')) AS v(tbl, key)
  LOOP
    EXECUTE format('DROP TRIGGER %I ON %I', t.tbl || '_ring_hash', t.tbl);
    EXECUTE format('ALTER TABLE %I DROP COLUMN ring_hash', t.tbl);
    EXECUTE format('ALTER TABLE %I ADD COLUMN ring_hash bigint NOT NULL GENERATED ALWAYS AS ((''x'' || substr(md5(%s), 1, 8))::bit(32)::bigint) STORED',
                   t.tbl, t.key);
    EXECUTE format('CREATE INDEX %I ON %I (ring_hash)', 'idx_' || t.tbl || '_ring_hash', t.tbl);
  END LOOP;
END
$$;
ALTER TABLE users ALTER COLUMN ring_hash DROP DEFAULT;
