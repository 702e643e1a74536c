-- Up Migration
-- Which accounts belong to which user (many-to-many). Both rows live on the same shard.
CREATE TABLE users_accounts (
  user_id    uuid        NOT NULL REFERENCES users (id) ON UPDATE CASCADE ON DELETE CASCADE,
  account_id uuid        NOT NULL REFERENCES accounts (id) ON UPDATE CASCADE ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, account_id)
);

-- The primary key already serves lookups by user_id; this one serves lookups by account_id.
CREATE INDEX idx_users_accounts_account_id ON users_accounts (account_id);

-- Down Migration
DROP TABLE users_accounts;
