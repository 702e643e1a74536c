import { listMigrationFiles, migrationClient, parseSqlMigration, pgErrorText, type MigrateAction, type MigrationTarget } from '../migrations/index.js';
import fsp from 'node:fs/promises';
import { DRILL_APPLICATION, DRILL_SCHEMA, PAUSE_SETTING } from './setup.js';

export interface FaithfulHooks {
  start(migration: string): void;
  done(migration: string): void;
}

export interface FaithfulResult {
  ran: string[];
  error: { migration: string | null; message: string } | null;
  /** Set when the run did nothing and said nothing, as the original's `latest` did when its lock row was set. */
  skipped: string | null;
}

const LOCK = `${DRILL_SCHEMA}.migration_lock`;
const TRACKING = `${DRILL_SCHEMA}.migrations`;

/**
 * The original project's runner (`tools/migration`, seed digest §4.1), kept faithful so its failures can be
 * shown: a boolean lock row read and set in two statements, `latest` that silently does nothing when that row
 * is set, one SERIALIZABLE transaction per Up (so `CREATE INDEX CONCURRENTLY` can never run), `down` outside
 * any transaction, and the lock released on the same connection at the end — which a killed run never reaches.
 */
export async function runFaithful(
  target: MigrationTarget,
  dir: string,
  action: MigrateAction,
  hooks: FaithfulHooks,
  pauseSeconds = 0,
): Promise<FaithfulResult> {
  const shard = target.name;
  const ran: string[] = [];
  let current: string | null = null;
  const client = migrationClient(target.url, DRILL_APPLICATION, pauseSeconds > 0 ? { [PAUSE_SETTING]: String(pauseSeconds) } : {});
  try {
    await client.connect();
  } catch (e) {
    return { ran, error: { migration: null, message: `${shard}: cannot connect: ${pgErrorText(e)}` }, skipped: null };
  }
  try {
    const locked = (await client.query<{ locked: boolean }>(`SELECT locked FROM ${LOCK} WHERE id = 1`)).rows[0]?.locked ?? false;
    if (locked) {
      if (action === 'latest') return { ran, error: null, skipped: `${shard}: the lock row says a run is going; latest did nothing and reported success` };
      return {
        ran,
        error: {
          migration: null,
          message: `${shard}: migration is locked (${LOCK}.locked = true); if no run is going, free it: UPDATE ${LOCK} SET locked = false WHERE id = 1`,
        },
        skipped: null,
      };
    }
    // Check, then set: two statements, so two runners can both see "unlocked" (the original's race).
    await client.query(`UPDATE ${LOCK} SET locked = true, updated_at = now() WHERE id = 1`);
    const files = await listMigrationFiles(dir);
    const applied = (await client.query<{ name: string }>(`SELECT name FROM ${TRACKING} ORDER BY run_on, id`)).rows.map((r) => r.name);
    if (action === 'down') {
      const last = applied.at(-1);
      const file = files.find((f) => f.name === last);
      if (last !== undefined && file) {
        const down = parseSqlMigration(await fsp.readFile(file.path, 'utf8')).down;
        current = last;
        hooks.start(last);
        // No transaction, as the original: a Down that fails half-way leaves its first statements applied.
        if (down) await client.query(down);
        await client.query(`DELETE FROM ${TRACKING} WHERE name = $1`, [last]);
        ran.push(last);
        hooks.done(last);
        current = null;
      }
    } else {
      const pending = files.filter((f) => !applied.includes(f.name));
      for (const file of action === 'up' ? pending.slice(0, 1) : pending) {
        current = file.name;
        hooks.start(file.name);
        await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
        try {
          await client.query(parseSqlMigration(await fsp.readFile(file.path, 'utf8')).up);
          await client.query(`INSERT INTO ${TRACKING} (name, run_on) VALUES ($1, now())`, [file.name]);
          await client.query('COMMIT');
        } catch (e) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw e;
        }
        ran.push(file.name);
        hooks.done(file.name);
        current = null;
      }
    }
    await client.query(`UPDATE ${LOCK} SET locked = false, updated_at = now() WHERE id = 1`);
    return { ran, error: null, skipped: null };
  } catch (e) {
    // The original's deferred release, on the same connection: after a crash there is no connection left.
    await client.query(`UPDATE ${LOCK} SET locked = false, updated_at = now() WHERE id = 1`).catch(() => undefined);
    const failed = current;
    const text = pgErrorText(e);
    return { ran, error: { migration: failed, message: failed ? `${shard}: migration ${failed} failed: ${text}` : `${shard}: ${text}` }, skipped: null };
  } finally {
    await client.end().catch(() => undefined);
  }
}
