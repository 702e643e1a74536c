-- Up Migration
-- ring_hash was a generated column. Logical replication (how a reshard copies rows to their new shard) cannot
-- write into a generated column on the subscriber, and PostgreSQL 18 also refuses a REPLICA IDENTITY FULL that
-- includes one. So it becomes a plain column kept right by a trigger: same values, same index, and it replicates.
CREATE FUNCTION lab_ring_hash(key text) RETURNS bigint
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN ('x' || substr(md5(key), 1, 8))::bit(32)::bigint;

COMMENT ON FUNCTION lab_ring_hash(text) IS
  'The ring point of a sharding key: first 4 bytes of md5(key) as a big-endian unsigned integer, as the router computes it.';

-- Any table: BEFORE INSERT OR UPDATE OF <key> ... EXECUTE FUNCTION lab_set_ring_hash('<key column>').
CREATE FUNCTION lab_set_ring_hash() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  NEW.ring_hash := lab_ring_hash(to_jsonb(NEW) ->> TG_ARGV[0]);
  RETURN NEW;
END
$$;

ALTER TABLE users ALTER COLUMN ring_hash DROP EXPRESSION;
ALTER TABLE users ALTER COLUMN ring_hash SET NOT NULL;
CREATE TRIGGER users_ring_hash BEFORE INSERT OR UPDATE OF id, ring_hash ON users
  FOR EACH ROW EXECUTE FUNCTION lab_set_ring_hash('id');

-- Down Migration
DROP TRIGGER users_ring_hash ON users;
ALTER TABLE users DROP COLUMN ring_hash;
ALTER TABLE users ADD COLUMN ring_hash bigint GENERATED ALWAYS AS (('x' || substr(md5(id::text), 1, 8))::bit(32)::bigint) STORED;
CREATE INDEX idx_users_ring_hash ON users (ring_hash);
DROP FUNCTION lab_set_ring_hash();
DROP FUNCTION lab_ring_hash(text);
