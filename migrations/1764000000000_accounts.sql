-- Up Migration
-- Login accounts. username and email are unique within one shard only: global
-- uniqueness across shards comes later from lookup tables.
CREATE TABLE accounts (
  id         uuid         PRIMARY KEY,
  username   varchar(255) NOT NULL,
  email      varchar(255) NOT NULL,
  password   text         NOT NULL,
  created_at timestamptz  NOT NULL DEFAULT now(),
  updated_at timestamptz  NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX idx_accounts_username ON accounts (username);
CREATE UNIQUE INDEX idx_accounts_email ON accounts (email);

-- Down Migration
-- Dropping the table drops its indexes with it.
DROP TABLE accounts;
