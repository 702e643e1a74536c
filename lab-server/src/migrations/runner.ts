import path from 'node:path';
import pg from 'pg';
import { runner } from 'node-pg-migrate';
import { RUNNER_IGNORE_PATTERN } from './files.js';
import { labSqlLoader } from './sql-loader.js';
import { MIGRATIONS_TABLE, type MigrateAction, type MigrateOptions, type MigrationTarget, type ShardMigrationResult } from './types.js';

/** node-pg-migrate logs through this; the lab prints its own summary, so its chatter goes nowhere. */
const QUIET_LOGGER = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** node-pg-migrate's message when `pg_try_advisory_lock` fails (advisoryLockMode 'fail'). */
const LOCK_HELD = 'Another migration is already running';

class Aborted extends Error {}

/** The runner's session name on every shard (`pg_stat_activity.application_name`). */
const MIGRATE_APPLICATION = 'shard-lab-migrate';

/** Extra session settings for a run, as `-c name=value` (a drill sets a custom `lab_drill.*` one). */
export type SessionSettings = Record<string, string>;

export function migrationClient(url: string, applicationName = MIGRATE_APPLICATION, settings: SessionSettings = {}): pg.Client {
  const extra = Object.entries(settings)
    .map(([k, v]) => ` -c ${k}=${v}`)
    .join('');
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: 10_000,
    application_name: applicationName,
    // UTC: node-pg-migrate stores run_on as `timestamp` (no zone) from NOW(), i.e. in the session zone.
    // client_connection_check_interval: if this process dies during a long statement, the server notices
    // within a second, aborts it and ends the session, which releases the session-level advisory lock.
    options: `-c TimeZone=UTC -c client_connection_check_interval=1000${extra}`,
  });
  // A dropped connection also rejects the query in flight, and that is what gets reported.
  client.on('error', () => undefined);
  return client;
}

export function pgErrorText(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const err = e as Error & { code?: string; detail?: string; hint?: string };
  let text = err.message.split('\n', 1)[0] ?? '';
  if (err.code) text += ` (SQLSTATE ${err.code})`;
  if (err.detail) text += `; ${err.detail}`;
  if (err.hint) text += `; hint: ${err.hint}`;
  return text;
}

async function cancelBackend(url: string, pid: number): Promise<void> {
  const c = migrationClient(url);
  try {
    await c.connect();
    await c.query('SELECT pg_cancel_backend($1)', [pid]);
  } catch {
    // The run reports its own outcome; nothing more to do if the cancel cannot be delivered.
  } finally {
    await c.end().catch(() => undefined);
  }
}

/**
 * Runs `action` on one shard with node-pg-migrate on its own connection: advisory lock (fail fast if held),
 * tracking table, order check, one transaction per migration. Never throws: the outcome is the result.
 */
export async function migrateShard(target: MigrationTarget, dir: string, action: MigrateAction, opts: MigrateOptions = {}): Promise<ShardMigrationResult> {
  const shard = target.name;
  const { signal, onProgress, set } = opts;
  const ran: string[] = [];
  let current: { name: string; transaction: boolean } | null = null;

  const emit = (migration: string, phase: 'start' | 'done') => {
    try {
      onProgress?.({ shard, migration, phase });
    } catch {
      // A faulty progress callback must not break a migration half-way.
    }
  };
  // node-pg-migrate applies migrations strictly one after another, so when the next one starts (or the
  // runner returns) the previous one has committed.
  const finishCurrent = () => {
    if (current === null) return;
    ran.push(current.name);
    emit(current.name, 'done');
    current = null;
  };
  const beforeMigration = (name: string, transaction: boolean) => {
    finishCurrent();
    if (signal?.aborted) throw new Aborted(`${shard}: aborted before ${name}`);
    current = { name, transaction };
    emit(name, 'start');
  };
  const failure = (e: unknown): ShardMigrationResult['error'] => {
    if (e instanceof Aborted) return { migration: null, message: e.message };
    const text = pgErrorText(e);
    if (text.startsWith(LOCK_HELD)) return { migration: null, message: `another migration run holds the lock on ${shard}` };
    const failed = current;
    if (failed === null) return { migration: null, message: `${shard}: ${signal?.aborted ? 'aborted: ' : ''}${text}` };
    let message = `${shard}: migration ${failed.name} ${signal?.aborted ? 'aborted' : 'failed'}: ${text}`;
    message += failed.transaction ? ' (rolled back)' : ' (it runs outside a transaction: its statements before the failing one stay applied)';
    return { migration: failed.name, message };
  };

  if (signal?.aborted) return { shard, ran, error: { migration: null, message: `${shard}: aborted before start` } };
  const client = migrationClient(target.url, set?.applicationName, set?.settings);
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => undefined);
    return { shard, ran, error: { migration: null, message: `${shard}: cannot connect: ${pgErrorText(e)}` } };
  }
  let onAbort: (() => void) | undefined;
  let cancelTimer: NodeJS.Timeout | undefined;
  try {
    const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    // Abort: cancel the statement in flight. A cancel that lands between two statements does nothing,
    // so repeat it until the run has stopped (the next migration is refused by beforeMigration anyway).
    onAbort = () => {
      void cancelBackend(target.url, pid);
      cancelTimer = setInterval(() => void cancelBackend(target.url, pid), 500);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = await runner({
      dbClient: client,
      dir: path.resolve(dir),
      ignorePattern: RUNNER_IGNORE_PATTERN,
      migrationLoaderStrategies: [{ extensions: ['.sql'], loader: labSqlLoader(beforeMigration) }],
      migrationsTable: set?.table ?? MIGRATIONS_TABLE,
      ...(set ? { schema: set.schema, createSchema: true, lockValue: set.lockValue } : {}),
      direction: action === 'down' ? 'down' : 'up',
      ...(action === 'latest' ? {} : { count: 1 }),
      singleTransaction: false, // one transaction per migration (the programmatic default is already false)
      checkOrder: true,
      advisoryLockMode: 'fail',
      logger: QUIET_LOGGER,
    });
    finishCurrent();
    return { shard, ran: done.map((m) => m.name), error: null };
  } catch (e) {
    return { shard, ran, error: failure(e) };
  } finally {
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    clearInterval(cancelTimer);
    // Ending the session also ends a transaction left open by a failed migration (rolled back) and any
    // advisory lock node-pg-migrate could not release on the aborted transaction.
    await client.end().catch(() => undefined);
  }
}
