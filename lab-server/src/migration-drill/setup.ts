import path from 'node:path';
import { REPO_ROOT } from '../config.js';
import { CONSOLE_ROLE } from '../console/console-role.js';
import type { MigrationSet } from '../migrations/index.js';

/** The drill's own migrations (see its README): never the messenger's. */
export const DRILL_DIR = path.join(REPO_ROOT, 'migrations-drill');
export const DRILL_SCHEMA = 'lab_drill';
/** The drill runner's sessions: what a crash drill terminates and the lock view lists. */
export const DRILL_APPLICATION = 'shard-lab-drill';
/** node-pg-migrate's key plus one: a drill never waits on, or blocks, a real migration run. */
export const DRILL_LOCK_KEY = 7241865325823965;
/** Session setting the fault hook reads: seconds to sleep inside each Up, so a crash drill can kill the run there. */
export const PAUSE_SETTING = 'lab_drill.pause_s';

export const drillSet = (pauseSeconds = 0): MigrationSet => ({
  schema: DRILL_SCHEMA,
  table: 'migrations',
  lockValue: DRILL_LOCK_KEY,
  applicationName: DRILL_APPLICATION,
  ...(pauseSeconds > 0 ? { settings: { [PAUSE_SETTING]: String(pauseSeconds) } } : {}),
});

/**
 * What every drill run needs on a shard before its first migration: the schema, the fault table, the
 * original's boolean lock table (one row, unlocked, as its GORM model created it), node-pg-migrate's tracking
 * table (so both runners share one history), the hook, and read access for the SQL console so a learner can
 * free the stuck lock the original's way. Idempotent; the caller runs it once at a time per shard.
 */
export const SETUP_SQL = `
CREATE SCHEMA IF NOT EXISTS ${DRILL_SCHEMA};
CREATE TABLE IF NOT EXISTS ${DRILL_SCHEMA}.faults (migration text PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS ${DRILL_SCHEMA}.migration_lock (
  id bigserial PRIMARY KEY,
  locked boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO ${DRILL_SCHEMA}.migration_lock (locked) SELECT false WHERE NOT EXISTS (SELECT 1 FROM ${DRILL_SCHEMA}.migration_lock);
CREATE TABLE IF NOT EXISTS ${DRILL_SCHEMA}.migrations (id serial PRIMARY KEY, name varchar(255) NOT NULL, run_on timestamp NOT NULL);
CREATE OR REPLACE FUNCTION ${DRILL_SCHEMA}.hook(migration text) RETURNS void LANGUAGE plpgsql AS $hook$
DECLARE
  pause float8 := coalesce(nullif(current_setting('${PAUSE_SETTING}', true), ''), '0')::float8;
BEGIN
  IF pause > 0 THEN PERFORM pg_sleep(pause); END IF;
  IF EXISTS (SELECT 1 FROM ${DRILL_SCHEMA}.faults f WHERE f.migration = hook.migration) THEN
    RAISE EXCEPTION 'injected failure in %', migration
      USING HINT = 'clear the fault (DELETE FROM ${DRILL_SCHEMA}.faults), then run the migrations again';
  END IF;
END
$hook$;
DO $grant$ BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${CONSOLE_ROLE}') THEN
    GRANT USAGE ON SCHEMA ${DRILL_SCHEMA} TO ${CONSOLE_ROLE};
    GRANT SELECT ON ${DRILL_SCHEMA}.migrations, ${DRILL_SCHEMA}.faults, ${DRILL_SCHEMA}.migration_lock TO ${CONSOLE_ROLE};
    GRANT UPDATE ON ${DRILL_SCHEMA}.migration_lock TO ${CONSOLE_ROLE};
    GRANT INSERT, DELETE ON ${DRILL_SCHEMA}.faults TO ${CONSOLE_ROLE};
  END IF;
END $grant$;
`;
