-- Up Migration
-- Lookup tables (Vitess calls them lookup vindexes): they make username and e-mail unique across ALL shards.
-- Each row lives on the shard of its value's ring point (ring_hash of the lower-cased text), so one
-- primary key on one shard decides who owns a name, whatever shard the owner lives on.
-- A claim is pending until its account exists, then confirmed; a pending claim older than the claim TTL
-- may be resolved by the next claimant (docs/uniqueness.md).
CREATE TABLE username_lookup (
  username   varchar(255) PRIMARY KEY,
  ring_hash  bigint       NOT NULL GENERATED ALWAYS AS (('x' || substr(md5(username), 1, 8))::bit(32)::bigint) STORED,
  account_id uuid         NOT NULL,
  user_id    uuid         NOT NULL,
  confirmed  boolean      NOT NULL DEFAULT false,
  claimed_at timestamptz  NOT NULL DEFAULT now(),
  CHECK (username = lower(username))
);
CREATE INDEX idx_username_lookup_ring_hash ON username_lookup (ring_hash);

CREATE TABLE email_lookup (
  email      varchar(255) PRIMARY KEY,
  ring_hash  bigint       NOT NULL GENERATED ALWAYS AS (('x' || substr(md5(email), 1, 8))::bit(32)::bigint) STORED,
  account_id uuid         NOT NULL,
  user_id    uuid         NOT NULL,
  confirmed  boolean      NOT NULL DEFAULT false,
  claimed_at timestamptz  NOT NULL DEFAULT now(),
  CHECK (email = lower(email))
);
CREATE INDEX idx_email_lookup_ring_hash ON email_lookup (ring_hash);

-- Down Migration
DROP TABLE email_lookup;
DROP TABLE username_lookup;
