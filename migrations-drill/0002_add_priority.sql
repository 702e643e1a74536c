-- Up Migration
-- A column with a constant default: since PostgreSQL 11 this stores the default once in the catalog
-- instead of rewriting every row.
SELECT lab_drill.hook('0002_add_priority');
ALTER TABLE lab_drill.notes ADD COLUMN priority integer NOT NULL DEFAULT 0;

-- Down Migration
ALTER TABLE lab_drill.notes DROP COLUMN priority;
