-- Up Migration
-- The tuning chapter's predictions: what the learner expected of the next run, kept with the runs it was measured on.
CREATE TABLE tuning_predictions (
  id            serial PRIMARY KEY,
  at            timestamptz NOT NULL DEFAULT now(),
  metric        text NOT NULL,
  predicted_pct double precision NOT NULL,
  note          text NOT NULL DEFAULT '',
  before_run    text NOT NULL,
  after_run     text
);

-- Down Migration
DROP TABLE tuning_predictions;
