-- Up Migration
-- Every ring the lab has routed with, newest last: which shards, which strategy. The lab starts the shards of
-- the newest version, so a shard added at run time is still there after a restart.
CREATE TABLE ring_versions (
  version    integer     PRIMARY KEY,
  strategy   text        NOT NULL,
  vnodes     integer,
  shards     jsonb       NOT NULL,
  reason     text        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Long-running work (seeding, resharding), kept so its outcome survives a restart.
CREATE TABLE jobs (
  id          uuid        PRIMARY KEY,
  kind        text        NOT NULL,
  state       text        NOT NULL,
  params      jsonb       NOT NULL,
  view        jsonb       NOT NULL,
  created_at  timestamptz NOT NULL,
  finished_at timestamptz
);
CREATE INDEX jobs_created_at ON jobs (created_at DESC);

-- Down Migration
DROP TABLE jobs;
DROP TABLE ring_versions;
