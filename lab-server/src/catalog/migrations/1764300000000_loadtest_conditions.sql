-- Up Migration
-- What a run ran under (the tuning knobs when it started) and what happened during it (knob changes, …),
-- so a before/after comparison can say what differed and the chart can mark when.
ALTER TABLE loadtest_runs
  ADD COLUMN conditions jsonb NOT NULL DEFAULT '{}',
  ADD COLUMN marks      jsonb NOT NULL DEFAULT '[]';

-- Down Migration
ALTER TABLE loadtest_runs DROP COLUMN conditions, DROP COLUMN marks;
