import { performance } from 'node:perf_hooks';
import { migrationClient, pgErrorText } from '../migrations/index.js';

/** The table every messenger request on a shard touches: the one the drill's `ALTER TABLE` queues on. */
const TABLE = 'users';
/** Added and rolled back in the same transaction: the messenger's schema never changes. */
const DDL = `ALTER TABLE ${TABLE} ADD COLUMN lab_lock_probe integer`;
const READ = `SELECT 1 FROM ${TABLE} LIMIT 1`;
/** A read slower than this counts as stalled (a point lookup on an idle shard takes about a millisecond). */
export const STALLED_MS = 100;
const READ_GAP_MS = 20;
const RETRY_GAP_MS = 100;
const WAIT_STEP_MS = 20;
const WAIT_LIMIT_MS = 10_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface LockQueueOptions {
  /** How long the long transaction holds its lock on the table. */
  hold_ms: number;
  /** null: a plain ALTER that waits as long as it takes; else `SET lock_timeout` and retry until it gets through. */
  lock_timeout_ms: number | null;
}

export interface LockQueueReport {
  shard: string;
  ddl: string;
  hold_ms: number;
  lock_timeout_ms: number | null;
  /** The ALTER got its lock after `waited_ms` (then rolled back: nothing changed), over `attempts` tries. */
  alter: { attempts: number; waited_ms: number; timeouts: number };
  /** A reader issuing `SELECT 1 FROM users LIMIT 1` one after another during the drill. */
  reads: { count: number; stalled: number; max_ms: number; p99_ms: number };
  /** Who waited for whom, seen while the ALTER was queued (pg_blocking_pids). */
  lock_view: { pid: number; role: 'long transaction' | 'migration' | 'reader'; waiting_for: number[]; query: string }[];
  verdict: string;
  /** Set when the drill ran inside the lab's load test: that run, and the drill's seconds on its timeline. */
  under_load?: { run_id: string; from_s: number; to_s: number };
}

function p99(xs: number[]): number {
  if (xs.length === 0) return 0;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)]!;
}

/**
 * The lock queue on one shard: a long transaction reads `users` and stays open; a migration's `ALTER TABLE`
 * needs an exclusive lock, so it waits — and every read that arrives after it queues behind it, although
 * the reads do not conflict with the long transaction. With `lock_timeout` the ALTER gives up quickly,
 * lets the queue drain, and retries. The ALTER is rolled back every time; the reader measures the stall.
 */
export async function lockQueue(shard: { name: string; url: string }, opts: LockQueueOptions, applicationName: string): Promise<LockQueueReport> {
  const holder = migrationClient(shard.url, applicationName);
  const migration = migrationClient(shard.url, applicationName);
  const reader = migrationClient(shard.url, applicationName);
  const observer = migrationClient(shard.url, applicationName);
  const clients = [holder, migration, reader, observer];
  try {
    await Promise.all(clients.map((c) => c.connect()));
    const pid = async (c: typeof holder) => (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const [holderPid, migrationPid, readerPid] = await Promise.all([pid(holder), pid(migration), pid(reader)]);

    await holder.query('BEGIN');
    await holder.query(READ);

    let reading = true;
    const latencies: number[] = [];
    const readLoop = (async () => {
      while (reading) {
        const t0 = performance.now();
        await reader.query(READ);
        latencies.push(performance.now() - t0);
        await sleep(READ_GAP_MS);
      }
    })();

    const alterStarted = performance.now();
    let attempts = 0;
    let timeouts = 0;
    const alter = (async () => {
      for (;;) {
        attempts++;
        await migration.query('BEGIN');
        if (opts.lock_timeout_ms !== null) await migration.query(`SET LOCAL lock_timeout = ${Math.round(opts.lock_timeout_ms)}`);
        try {
          await migration.query(DDL);
          await migration.query('ROLLBACK');
          return performance.now() - alterStarted;
        } catch (e) {
          await migration.query('ROLLBACK');
          if ((e as { code?: string }).code !== '55P03') throw e;
          timeouts++;
          await sleep(RETRY_GAP_MS);
        }
      }
    })();

    // The lock view, taken once the reader queues behind the ALTER (or the ALTER waits alone, with lock_timeout).
    const view = async () =>
      (
        await observer.query<{ pid: number; waiting_for: number[]; query: string }>(
          `SELECT pid, pg_blocking_pids(pid) AS waiting_for, left(query, 80) AS query FROM pg_stat_activity WHERE pid = ANY($1::int[]) ORDER BY pid`,
          [[holderPid, migrationPid, readerPid]],
        )
      ).rows.map((r) => ({
        pid: r.pid,
        role: r.pid === holderPid ? ('long transaction' as const) : r.pid === migrationPid ? ('migration' as const) : ('reader' as const),
        waiting_for: r.waiting_for,
        query: r.query,
      }));
    let lockView = await view();
    for (let waited = 0; waited < Math.min(WAIT_LIMIT_MS, opts.hold_ms); waited += WAIT_STEP_MS) {
      if (lockView.some((v) => v.role === 'reader' && v.waiting_for.length > 0)) break;
      await sleep(WAIT_STEP_MS);
      lockView = await view();
    }
    const remaining = opts.hold_ms - (performance.now() - alterStarted);
    if (remaining > 0) await sleep(remaining);
    await holder.query('COMMIT');
    const waited = await alter;
    await sleep(2 * READ_GAP_MS);
    reading = false;
    await readLoop;

    const stalled = latencies.filter((l) => l >= STALLED_MS).length;
    const max = Math.max(0, ...latencies);
    const verdict =
      opts.lock_timeout_ms === null
        ? `The ALTER waited ${Math.round(waited)} ms behind the long transaction, and ${stalled} read(s) queued behind the ALTER (the longest ${Math.round(max)} ms), although they never conflicted with the long transaction.`
        : `The ALTER gave up ${timeouts} time(s) after ${opts.lock_timeout_ms} ms and got through on attempt ${attempts}; ${stalled} read(s) stalled, the longest ${Math.round(max)} ms.`;
    return {
      shard: shard.name,
      ddl: `${DDL} (rolled back)`,
      hold_ms: opts.hold_ms,
      lock_timeout_ms: opts.lock_timeout_ms,
      alter: { attempts, waited_ms: waited, timeouts },
      reads: { count: latencies.length, stalled, max_ms: max, p99_ms: p99(latencies) },
      lock_view: lockView,
      verdict,
    };
  } catch (e) {
    throw new Error(`${shard.name}: the lock-queue drill failed: ${pgErrorText(e)}`);
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  }
}
