import { randomBytes } from 'node:crypto';
import type { Shard } from '../cluster/cluster.js';
import { MIGRATIONS_TABLE } from '../migrations/types.js';

/**
 * The PostgreSQL role the learner's SQL runs as (terminal and SQL viewer), on every shard. The lab's own work
 * runs as a superuser; this role is not one: it can read and change the messenger's tables, run EXPLAIN and
 * read statistics (pg_monitor), and nothing else — no COPY ... PROGRAM, no server files, no ALTER SYSTEM, no
 * extensions, no other server (docs/security.md).
 */
export const CONSOLE_ROLE = 'lab_console';

/** Server-side bound on the role's connections; the lab's own bound (MAX_CONSOLE_CONNECTIONS) is lower. */
const ROLE_CONNECTION_LIMIT = 32;

/** Fresh each time the lab starts: a password seen in one run opens nothing in the next. */
const password = randomBytes(24).toString('base64url');

/** Shard URL → the role set up there by this process (a promoted replica has another URL, and is set up again). */
const prepared = new Map<string, Promise<void>>();

export class ConsoleRoleError extends Error {}

/** The URL the console connects with: the shard's own, as the console role. */
export async function consoleUrl(shard: Shard): Promise<string> {
  let ready = prepared.get(shard.url);
  if (!ready) {
    ready = setUp(shard);
    prepared.set(shard.url, ready);
    ready.catch(() => prepared.delete(shard.url));
  }
  await ready;
  const url = new URL(shard.url);
  url.username = CONSOLE_ROLE;
  url.password = password;
  return url.toString();
}

/** After a login failure (the learner changed the role's password): set the role up again on the next use. */
export function forgetConsoleRole(shard: Shard): void {
  prepared.delete(shard.url);
}

async function setUp(shard: Shard): Promise<void> {
  const client = await shard.pool.connect();
  try {
    await client.query('BEGIN');
    // Two processes setting the role up at once would race on CREATE ROLE.
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('shard-lab console role'))`);
    const { rows } = await client.query<{ exists: boolean }>('SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = $1) AS exists', [CONSOLE_ROLE]);
    if (!rows[0]!.exists) await client.query(`CREATE ROLE ${CONSOLE_ROLE}`);
    const role = CONSOLE_ROLE;
    for (const sql of [
      `ALTER ROLE ${role} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT CONNECTION LIMIT ${ROLE_CONNECTION_LIMIT} PASSWORD ${client.escapeLiteral(password)}`,
      `GRANT pg_monitor TO ${role}`,
      `GRANT USAGE ON SCHEMA public TO ${role}`,
      `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`,
      `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${role}`,
      // Tables a later migration or a chapter creates are the messenger's too.
      `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${role}`,
      `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${role}`,
      // The migration runner's bookkeeping is the lab's: readable, never edited by hand.
      `DO $$ BEGIN IF to_regclass('public.${MIGRATIONS_TABLE}') IS NOT NULL THEN REVOKE INSERT, UPDATE, DELETE ON public.${MIGRATIONS_TABLE} FROM ${role}; END IF; END $$`,
      // The Migrations chapter's drill (migration-drill/setup.ts grants the same when it creates the schema later):
      // the learner frees the original's stuck lock row by hand, as its docs say.
      `DO $$ BEGIN IF to_regclass('lab_drill.migration_lock') IS NOT NULL THEN GRANT USAGE ON SCHEMA lab_drill TO ${role}; GRANT SELECT ON lab_drill.migrations, lab_drill.faults, lab_drill.migration_lock TO ${role}; GRANT UPDATE ON lab_drill.migration_lock TO ${role}; GRANT INSERT, DELETE ON lab_drill.faults TO ${role}; END IF; END $$`,
    ]) {
      await client.query(sql);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    const e = err as { code?: string; message?: string };
    if (e.code === '42501') {
      throw new ConsoleRoleError(
        `${shard.name}: the lab's user may not create the console role ${CONSOLE_ROLE} (${e.message}). The console never runs as the lab's own user; grant it CREATEROLE, or create ${CONSOLE_ROLE} yourself.`,
      );
    }
    throw err;
  } finally {
    client.release();
  }
}
