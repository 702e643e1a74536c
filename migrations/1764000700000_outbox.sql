-- Up Migration
-- Events to be applied on OTHER shards, written in the same transaction as the change that causes them
-- (a transactional outbox). Shard-local: rows never move between shards, so there is no ring_hash; a
-- shard is drained by processing its outbox until it is empty (GET /lab/v1/outbox).
CREATE TABLE outbox (
  id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  topic        varchar(100) NOT NULL,
  payload      jsonb       NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  -- When a worker may take the event next: now for new events, later while a worker holds it (a lease that
  -- lapses if the worker dies) or after a failure (backoff).
  available_at timestamptz NOT NULL DEFAULT now(),
  attempts     integer     NOT NULL DEFAULT 0,
  last_error   text
);
CREATE INDEX idx_outbox_available_at ON outbox (available_at);

-- Down Migration
DROP TABLE outbox;
