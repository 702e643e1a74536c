import pg from 'pg';
import type { Cluster } from '../cluster/cluster.js';
import type { Shard } from '../cluster/shard.js';
import { ConflictError, NotFoundError } from '../domain/errors.js';

/**
 * The durability trade-off of `synchronous_commit`, shown with a real crash. Writers insert numbered rows into
 * one shard, each row its own transaction, and note every commit the server acknowledged. While they are still
 * writing, the lab kills the shard's postmaster and every backend (SIGKILL, by pid: no shutdown, no final WAL
 * flush), starts it again, lets PostgreSQL recover from its WAL, and counts the acknowledged rows that are gone.
 *
 * With `on` a commit is acknowledged only once its WAL is on disk, so none may be missing. With `off` it is
 * acknowledged once its WAL is in memory; the WAL writer writes it out within about three `wal_writer_delay`s,
 * and whatever was still in memory at the kill is lost. The lab does not widen that window: how many are lost
 * is what this machine did, and it can be none when the kill fell just after a flush.
 *
 * The mode is set per session (`SET synchronous_commit`), so the knob panel's value does not change the test,
 * and the setup and the record of each run are committed with `on`.
 */
export const COMMIT_MODES = ['on', 'off'] as const;
export type CommitMode = (typeof COMMIT_MODES)[number];

const SCHEMA = 'lab_durability';

export interface CrashRun {
  run: number;
  shard: string;
  synchronous_commit: CommitMode;
  writers: number;
  /** How long the writers wrote before the kill, ms. */
  write_ms: number;
  /** Commits the server acknowledged to the writers. */
  acknowledged: number;
  /** Acknowledged commits whose row was not there after recovery. */
  lost: number;
  /** The first lost row numbers (a row's number is its order of issue). */
  lost_ids: number[];
  /** Rows found after recovery whose commit was never acknowledged (in flight at the kill: committed, answer lost). */
  unacknowledged_present: number;
  /** Acknowledged commits per second while writing. */
  commits_per_s: number;
  /** From the kill to the shard answering again (crash recovery included), ms. */
  recovery_ms: number;
  /** The shard's wal_writer_delay: the loss window is up to about three of these. */
  wal_writer_delay: string;
  at: string;
}

type Deps = Pick<Cluster, 'shards' | 'faults' | 'ownsServers' | 'notOwned'>;

const client = (shard: Shard, mode: CommitMode) => new pg.Client({ connectionString: shard.url, options: `-c synchronous_commit=${mode}` });

async function withClient<T>(shard: Shard, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = client(shard, 'on');
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** Runs the experiment on one shard: write, kill mid-write, restart, count. */
export async function crashRun(deps: Deps, input: { shard: string; synchronous_commit: CommitMode; writers: number; write_ms: number }): Promise<CrashRun> {
  if (!deps.ownsServers) throw new ConflictError('not_available', deps.notOwned('Crashing a shard'));
  const shard = deps.shards.find((s) => s.name === input.shard);
  if (!shard) throw new NotFoundError(`No shard ${input.shard}; the shards are ${deps.shards.map((s) => s.name).join(', ')}.`, { shard: input.shard });
  if (!shard.server?.pid || shard.status !== 'up')
    throw new ConflictError('shard_not_up', `${shard.name} is ${shard.status}: start it (shards start ${shard.name}) before crashing it.`, {
      shard: shard.name,
    });

  const run = Date.now();
  const walWriterDelay = await withClient(shard, async (c) => {
    await c.query(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`);
    await c.query(`CREATE TABLE IF NOT EXISTS ${SCHEMA}.writes (run bigint NOT NULL, n int NOT NULL, PRIMARY KEY (run, n))`);
    return (await c.query<{ d: string }>(`SELECT current_setting('wal_writer_delay') AS d`)).rows[0]!.d;
  });

  const writers = await Promise.all(
    Array.from({ length: input.writers }, async () => {
      const c = client(shard, input.synchronous_commit);
      // A killed server ends the connection; the error is expected, not a crash of the lab.
      c.on('error', () => undefined);
      await c.connect();
      return c;
    }),
  );
  const acked: number[] = [];
  let next = 0;
  let killed = false;
  const started = Date.now();
  const loops = writers.map(async (c) => {
    while (!killed) {
      const n = next++;
      try {
        await c.query(`INSERT INTO ${SCHEMA}.writes (run, n) VALUES ($1, $2)`, [run, n]);
      } catch {
        return; // the kill: this write's fate is unknown, so it is not counted as acknowledged
      }
      acked.push(n);
    }
  });
  await new Promise((r) => setTimeout(r, input.write_ms));
  const writeMs = Date.now() - started;
  const ackedBeforeKill = acked.length;
  const killedAt = Date.now();
  await deps.faults.signal(shard.id, 'SIGKILL');
  killed = true;
  await Promise.all(loops);
  await Promise.all(writers.map((c) => c.end().catch(() => undefined)));
  await deps.faults.restart(shard.id);
  const recoveryMs = Date.now() - killedAt;

  const present = await withClient(shard, async (c) => {
    const { rows } = await c.query<{ n: number }>(`SELECT n FROM ${SCHEMA}.writes WHERE run = $1`, [run]);
    await c.query(`DELETE FROM ${SCHEMA}.writes WHERE run = $1`, [run]);
    return new Set(rows.map((r) => r.n));
  });
  const ackedSet = new Set(acked);
  const lost = acked.filter((n) => !present.has(n)).sort((a, b) => a - b);
  const result: CrashRun = {
    run,
    shard: shard.name,
    synchronous_commit: input.synchronous_commit,
    writers: input.writers,
    write_ms: writeMs,
    acknowledged: acked.length,
    lost: lost.length,
    lost_ids: lost.slice(0, 20),
    unacknowledged_present: [...present].filter((n) => !ackedSet.has(n)).length,
    commits_per_s: writeMs > 0 ? Math.round((ackedBeforeKill / writeMs) * 1000) : 0,
    recovery_ms: recoveryMs,
    wal_writer_delay: walWriterDelay,
    at: new Date().toISOString(),
  };
  await record(deps, result);
  return result;
}

const first = (deps: Pick<Cluster, 'shards'>) => deps.shards[0];

/** Each run is kept on the first shard (committed with synchronous_commit on), for the chapter's check and the page. */
async function record(deps: Pick<Cluster, 'shards'>, r: CrashRun): Promise<void> {
  const shard = first(deps);
  if (!shard) return;
  await withClient(shard, async (c) => {
    await c.query(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`);
    await c.query(`CREATE TABLE IF NOT EXISTS ${SCHEMA}.runs (run bigint PRIMARY KEY, result jsonb NOT NULL)`);
    await c.query(`INSERT INTO ${SCHEMA}.runs (run, result) VALUES ($1, $2)`, [r.run, JSON.stringify(r)]);
  });
}

/** Every crash run so far, oldest first. */
export async function listCrashRuns(deps: Pick<Cluster, 'shards'>): Promise<CrashRun[]> {
  const shard = first(deps);
  if (!shard) return [];
  return withClient(shard, async (c) => {
    const exists = await c.query<{ t: string | null }>(`SELECT to_regclass('${SCHEMA}.runs')::text AS t`);
    if (!exists.rows[0]?.t) return [];
    return (await c.query<{ result: CrashRun }>(`SELECT result FROM ${SCHEMA}.runs ORDER BY run`)).rows.map((r) => r.result);
  });
}

/** Forgets every crash run (the chapter's reset). */
export async function clearCrashRuns(deps: Pick<Cluster, 'shards'>): Promise<void> {
  await Promise.all(deps.shards.map((s) => withClient(s, (c) => c.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`))));
}
