-- Up Migration
-- The outbox's recent history: an event applied everywhere moves here from `outbox` in one statement, so a
-- learner can see what was delivered, after how many attempts and how long after it was written (the lag from
-- a delete to its last reference gone). Shard-local like the outbox; only the newest events are kept.
CREATE TABLE outbox_delivered (
  id           bigint       PRIMARY KEY,
  topic        varchar(100) NOT NULL,
  payload      jsonb        NOT NULL,
  created_at   timestamptz  NOT NULL,
  delivered_at timestamptz  NOT NULL DEFAULT now(),
  attempts     integer      NOT NULL,
  -- The failure before the attempt that went through (a shard that was down), if any.
  last_error   text
);

-- Down Migration
DROP TABLE outbox_delivered;
