-- Up Migration
-- Which exercises the learner has passed, per chapter: checked (they did it) or solved (the lab did it for them).
-- A chapter reset deletes its rows, since the cluster is back at the chapter's start.
CREATE TABLE exercise_progress (
  chapter_id  text        NOT NULL,
  exercise_id text        NOT NULL,
  how         text        NOT NULL CHECK (how IN ('checked', 'solved')),
  answer      jsonb,
  passed_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (chapter_id, exercise_id)
);

-- Down Migration
DROP TABLE exercise_progress;
