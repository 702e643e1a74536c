-- Up Migration
-- The tuning chapter's profiles the learner saves: knob values kept across restarts of the lab.
CREATE TABLE tuning_profiles (
  name     text PRIMARY KEY,
  profile  jsonb NOT NULL,
  saved_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE tuning_profiles;
