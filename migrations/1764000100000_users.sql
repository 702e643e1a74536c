-- Up Migration
-- Messenger users. ring_hash is derived from id, so it can never disagree with it.
CREATE TABLE users (
  id         uuid         PRIMARY KEY,
  ring_hash  bigint       GENERATED ALWAYS AS (('x' || substr(md5(id::text), 1, 8))::bit(32)::bigint) STORED,
  first_name varchar(100) NOT NULL,
  last_name  varchar(100) NOT NULL,
  email      varchar(255),
  created_at timestamptz  NOT NULL DEFAULT now(),
  updated_at timestamptz  NOT NULL DEFAULT now()
);

COMMENT ON COLUMN users.ring_hash IS
  'Point of this user on the 32-bit hash ring: the first 4 bytes of md5(id::text) (canonical lower-case UUID text) '
  'read as a big-endian unsigned integer, 0 .. 4294967295. The router computes the same value in JS. '
  'Stored (and indexed by idx_users_ring_hash) so resharding can select the users of one hash range '
  '(WHERE ring_hash >= $1 AND ring_hash < $2) with an index scan instead of hashing every row.';

-- Down Migration
DROP TABLE users;
