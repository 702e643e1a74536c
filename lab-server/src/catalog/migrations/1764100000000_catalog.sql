-- Up Migration
-- The lab's own state lives in the catalog server, never on a shard: a shard may be killed, drained or removed.
-- Each feature adds its tables in its own migration here.
CREATE TABLE lab_meta (
  key        text        PRIMARY KEY,
  value      jsonb       NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE lab_meta;
