-- Up Migration
-- Which shards have a streaming replica, and where it runs. The lab starts these with their shards, so a replica
-- added at run time is still there after a restart; a promotion removes the row (the replica became the primary).
CREATE TABLE replicas (
  shard      text        PRIMARY KEY,
  name       text        NOT NULL,
  url        text        NOT NULL,
  data_dir   text        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE replicas;
