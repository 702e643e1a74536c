-- Up Migration
SELECT lab_drill.hook('0004_add_tags');
ALTER TABLE lab_drill.notes ADD COLUMN tags text[] NOT NULL DEFAULT '{}';

-- Down Migration
ALTER TABLE lab_drill.notes DROP COLUMN tags;
