-- Up Migration
-- Load-test runs: the history that GET /lab/v1/loadtests lists and the compare view reads, kept across restarts.
CREATE TABLE loadtest_runs (
  id          uuid        PRIMARY KEY,
  scenario    text        NOT NULL,
  state       text        NOT NULL CHECK (state IN ('preparing', 'running', 'finished', 'failed', 'cancelled')),
  params      jsonb       NOT NULL,
  target      text        NOT NULL,
  notes       jsonb       NOT NULL DEFAULT '[]',
  summary     jsonb,
  timeline    jsonb       NOT NULL DEFAULT '[]',
  error       text,
  created_at  timestamptz NOT NULL,
  started_at  timestamptz,
  finished_at timestamptz
);
CREATE INDEX loadtest_runs_created_at ON loadtest_runs (created_at DESC);

-- Down Migration
DROP TABLE loadtest_runs;
