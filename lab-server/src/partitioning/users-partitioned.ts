import type pg from 'pg';
import type { Cluster } from '../cluster/cluster.js';
import { ShardRemovedError, ShardUnavailableError } from '../cluster/errors.js';
import type { BUILD_MODES } from '../contracts/partitions.js';
import { ConflictError } from '../domain/errors.js';
import { JobCancelledError, throwIfCancelled } from '../jobs/registry.js';
import { type Holding, heldDdl } from './held-ddl.js';

/**
 * The Partitioning chapter's table: a copy of `users`, hash-partitioned by id inside every shard as the
 * original partitions its `users` (`PARTITION BY HASH (id)`, partitions `users_p0…`). The messenger keeps
 * its plain `users`, so resharding, seeding and failover are untouched; a trigger on `users` keeps the copy
 * in step with every later write, so the partitions hold what the shard holds.
 */
export const PARTITIONED = 'users_partitioned';
const SYNC = 'users_partitioned_sync';

/** What PostgreSQL allows and the chapter teaches: a handful to a few dozen hash partitions. */
export const MIN_PARTITIONS = 2;
export const MAX_PARTITIONS = 64;

export type BuildMode = (typeof BUILD_MODES)[number];

export interface BuildReport {
  partitions: number;
  mode: BuildMode;
  shards: { shard_name: string; rows_copied: number; ms: number; blocked_ms: number }[];
}

type Pools = Pick<Cluster, 'shards' | 'pools'>;

/** The table being built beside the live one, and its partitions and trigger, until the swap renames them. */
const NEXT = `${PARTITIONED}_next`;
const NEXT_SYNC = `${NEXT}_sync`;
// Each batch holds its rows FOR SHARE until it commits: a write to one of them waits that long, so batches stay small.
const BATCH = 1_000;

/** What a build reports while it runs and how it learns it was cancelled: the part of a job's context it uses. */
export interface BuildProgress {
  signal: AbortSignal;
  progress(done: number, total?: number): void;
  phase(name: string): void;
}

const quiet: BuildProgress = { signal: new AbortController().signal, progress: () => undefined, phase: () => undefined };

/**
 * (Re)builds `users_partitioned` with `partitions` hash partitions on every shard, beside the live one, and
 * swaps it in. `ms` is the whole build on a shard, `blocked_ms` the longest time the shard's requests waited
 * (the swap, and online the trigger's creation too). Every shard copies first and swaps only once all have
 * copied, so a failure or a cancel before the swaps removes everything built on every shard and leaves each
 * live table as it was.
 */
export async function buildPartitions(cluster: Holding, partitions: number, mode: BuildMode = 'online', job: BuildProgress = quiet): Promise<BuildReport> {
  const shards = [...cluster.shards];
  const dbs: (pg.Client | null)[] = shards.map(() => null);
  const pids: (number | null)[] = shards.map(() => null);
  // A cancel stops the statements in flight (a long copy, a wait on a lock) instead of waiting for them.
  let stopping: Promise<unknown> | null = null;
  const onAbort = () => {
    stopping = Promise.all(
      shards.map((shard, i) => {
        const pid = pids[i];
        return pid ? cluster.pools.onShard(shard.id, (pool) => pool.query('SELECT pg_cancel_backend($1)', [pid])).catch(() => undefined) : undefined;
      }),
    );
  };
  job.signal.addEventListener('abort', onAbort, { once: true });
  const copied = shards.map(() => 0);
  const held = shards.map(() => 0);
  const started = performance.now();
  try {
    job.phase('copy');
    // The build's own connections, outside the request pools: a pool full of waiting requests cannot fail the build.
    const counts = await settleAll(
      shards.map(async (shard, i) => {
        const db = await cluster.pools.connectBulk(shard.id, 'shard-lab-partitioning');
        dbs[i] = db;
        pids[i] = (await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
        // Users on the shard now: the progress total (writes during the build move it a little).
        return Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM users')).rows[0]?.n ?? 0);
      }),
      shards,
    );
    const total = counts.reduce((a, b) => a + b, 0);
    job.progress(0, total);
    const report = (done: number, i: number) => {
      copied[i] = done;
      job.progress(
        Math.min(
          total,
          copied.reduce((a, b) => a + b, 0),
        ),
        total,
      );
    };
    const ms = await settleAll(
      shards.map(async (shard, i) => {
        const db = dbs[i]!;
        throwIfCancelled(job.signal);
        await createNext(db, partitions);
        const rows =
          mode === 'online'
            ? await copyOnline(
                db,
                job.signal,
                (n) => report(n, i),
                (ddl) => heldDdl(cluster, shard.id, db, ddl, (ms) => (held[i] = Math.max(held[i]!, ms)), job.signal),
              )
            : await copyFaithful(db);
        report(rows, i);
        return performance.now() - started;
      }),
      shards,
    );
    throwIfCancelled(job.signal);
    // Past this point the build finishes: each swap is one short transaction, and a cancel would leave the shards at different counts.
    job.signal.removeEventListener('abort', onAbort);
    job.phase('swap');
    const swapped = await settleAll(
      shards.map(async (_shard, i) => {
        const db = dbs[i]!;
        let blocked = 0;
        if (mode === 'online') await heldDdl(cluster, shards[i]!.id, db, swapStatements(await partitionRenames(db)), (ms) => (blocked = ms));
        else {
          // The original's swap: no hold, no lock timeout; requests pile onto the shard's connections meanwhile.
          const swapStarted = performance.now();
          await swap(db);
          blocked = performance.now() - swapStarted;
        }
        await db.query(`ANALYZE ${PARTITIONED}`);
        return Math.max(blocked, held[i]!);
      }),
      shards,
    );
    return {
      partitions,
      mode,
      shards: shards.map((shard, i) => ({
        shard_name: shard.name,
        rows_copied: copied[i]!,
        ms: Math.round(ms[i]! + swapped[i]!),
        blocked_ms: Math.round(swapped[i]!),
      })),
    };
  } catch (err) {
    job.signal.removeEventListener('abort', onAbort);
    await stopping;
    const left = await Promise.all(
      dbs.map(async (db) => {
        if (!db) return 0;
        await db.query('ROLLBACK').catch(() => undefined);
        await dropNext(db).catch(() => undefined);
        return leftBehind(db).catch(() => 1);
      }),
    );
    if (job.signal.aborted) throw new JobCancelledError({ partitions, mode, left_behind: left.reduce((a, b) => a + b, 0) });
    throw err;
  } finally {
    await Promise.all(dbs.map((db) => db?.end().catch(() => undefined)));
  }
}

/** Waits for every shard; the first failure, named by shard, once all have stopped (so cleanup never races a copy). */
async function settleAll(work: Promise<number>[], shards: readonly { name: string }[]): Promise<number[]> {
  const settled = await Promise.allSettled(work);
  const failed = settled.findIndex((r) => r.status === 'rejected');
  if (failed >= 0) {
    const reason = (settled[failed] as PromiseRejectedResult).reason;
    if (reason instanceof JobCancelledError) throw reason;
    throw new ConflictError(
      'partitioning_failed',
      `${shards[failed]!.name}: building ${PARTITIONED} failed (${errText(reason)}); the live table on every shard is unchanged. Check the shard is up, then build again.`,
    );
  }
  return settled.map((r) => (r as PromiseFulfilledResult<number>).value);
}

/** Tables, indexes, triggers and functions of an unfinished build still on a shard: 0 after a clean cancel. */
async function leftBehind(db: pg.ClientBase): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    `SELECT (SELECT count(*) FROM pg_class WHERE relname LIKE '${NEXT}%') + (SELECT count(*) FROM pg_trigger WHERE tgname = '${NEXT_SYNC}')
          + (SELECT count(*) FROM pg_proc WHERE proname = '${NEXT_SYNC}') AS n`,
  );
  return Number(rows[0]?.n ?? 0);
}

/** The original's columns (its ring has no stored hash, so neither does this copy: resharding and the placement audit, which follow ring_hash columns, leave it alone). */
async function createNext(db: pg.ClientBase, partitions: number): Promise<void> {
  await dropNext(db);
  await db.query(`CREATE TABLE ${NEXT} (
    id uuid NOT NULL, first_name varchar(100) NOT NULL, last_name varchar(100) NOT NULL, email varchar(255),
    created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, CONSTRAINT ${NEXT}_pkey PRIMARY KEY (id)
  ) PARTITION BY HASH (id)`);
  for (let r = 0; r < partitions; r++) {
    await db.query(`CREATE TABLE ${NEXT}_p${r} PARTITION OF ${NEXT} FOR VALUES WITH (MODULUS ${partitions}, REMAINDER ${r})`);
  }
  // Declared once on the parent; PostgreSQL creates one per partition.
  await db.query(`CREATE INDEX ${NEXT}_name ON ${NEXT} (first_name, last_name)`);
  await db.query(`CREATE INDEX ${NEXT}_created_at ON ${NEXT} (created_at DESC, id DESC)`);
}

async function dropNext(db: pg.ClientBase): Promise<void> {
  // DROP TRIGGER locks users ACCESS EXCLUSIVE even when there is nothing to drop: only when there is.
  const { rowCount } = await db.query(`SELECT 1 FROM pg_trigger WHERE tgname = '${NEXT_SYNC}' AND tgrelid = 'users'::regclass`);
  if (rowCount) await db.query(`DROP TRIGGER ${NEXT_SYNC} ON users`);
  await db.query(`DROP FUNCTION IF EXISTS ${NEXT_SYNC}()`);
  await db.query(`DROP TABLE IF EXISTS ${NEXT}`);
}

/** A trigger function applying each write of `users` to `table`. */
const syncFunction = (name: string, table: string) => `CREATE OR REPLACE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN DELETE FROM ${table} WHERE id = OLD.id; END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
      INSERT INTO ${table} VALUES (NEW.id, NEW.first_name, NEW.last_name, NEW.email, NEW.created_at, NEW.updated_at) ON CONFLICT (id) DO NOTHING;
    END IF;
    RETURN NULL;
  END $$`;

/**
 * Online: first mirror every write of `users` into the new table, then copy the rows in batches by id.
 * Each batch locks its rows FOR SHARE, so a write in flight on one of them finishes first (and its mirror
 * with it) and the batch copies what it left; ON CONFLICT skips rows the mirror already wrote.
 */
async function copyOnline(
  db: pg.ClientBase,
  signal: AbortSignal,
  progress: (copied: number) => void,
  ddl: (statements: string[]) => Promise<void>,
): Promise<number> {
  await db.query(syncFunction(NEXT_SYNC, NEXT));
  await ddl([`CREATE TRIGGER ${NEXT_SYNC} AFTER INSERT OR UPDATE OR DELETE ON users FOR EACH ROW EXECUTE FUNCTION ${NEXT_SYNC}()`]);
  let after = '00000000-0000-0000-0000-000000000000';
  let copied = 0;
  for (;;) {
    const { rows } = await db.query<{ last: string | null; n: string }>(
      `WITH batch AS (
         SELECT id, first_name, last_name, email, created_at, updated_at FROM users WHERE id > $1 ORDER BY id LIMIT ${BATCH} FOR SHARE
       ), copied AS (INSERT INTO ${NEXT} SELECT * FROM batch ON CONFLICT (id) DO NOTHING)
       SELECT (SELECT id FROM batch ORDER BY id DESC LIMIT 1)::text AS last, (SELECT count(*) FROM batch) AS n`,
      [after],
    );
    const last = rows[0]?.last;
    if (!last) return copied;
    copied += Number(rows[0]!.n);
    after = last;
    progress(copied);
    throwIfCancelled(signal);
  }
}

/** Faithful: the original's one INSERT … SELECT from a snapshot; writes committed while it runs go to the old table only. */
async function copyFaithful(db: pg.ClientBase): Promise<number> {
  const r = await db.query(`INSERT INTO ${NEXT} SELECT id, first_name, last_name, email, created_at, updated_at FROM users`);
  return r.rowCount ?? 0;
}

/** The partitions and the indexes PostgreSQL made on them: users_partitioned_next_p3… → users_p3…, as ALTER statements. */
async function partitionRenames(db: pg.ClientBase): Promise<string[]> {
  const { rows } = await db.query<{ name: string; kind: string }>(
    `SELECT relname AS name, relkind AS kind FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relname ~ '^${NEXT}_p[0-9]'`,
  );
  return rows.map(({ name, kind }) => `ALTER ${kind === 'i' || kind === 'I' ? 'INDEX' : 'TABLE'} ${name} RENAME TO ${name.replace(`${NEXT}_`, 'users_')}`);
}

/**
 * The swap's statements: the new table takes the live names, the old one is dropped, and the live trigger
 * writes to the new one from the commit on. Sent in one round trip, so writes wait for the DDL only.
 */
const swapStatements = (renames: string[]) => [
  'LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE',
  `DROP TRIGGER IF EXISTS ${NEXT_SYNC} ON users`,
  `DROP FUNCTION IF EXISTS ${NEXT_SYNC}()`,
  `DROP TABLE IF EXISTS ${PARTITIONED}`,
  `ALTER TABLE ${NEXT} RENAME TO ${PARTITIONED}`,
  // Renaming a table keeps its constraint's and indexes' names (the original's swap left users_partitioned_pkey on its users).
  `ALTER TABLE ${PARTITIONED} RENAME CONSTRAINT ${NEXT}_pkey TO ${PARTITIONED}_pkey`,
  `ALTER INDEX ${NEXT}_name RENAME TO ${PARTITIONED}_name`,
  `ALTER INDEX ${NEXT}_created_at RENAME TO ${PARTITIONED}_created_at`,
  ...renames,
  syncFunction(SYNC, PARTITIONED),
  `CREATE OR REPLACE TRIGGER ${SYNC} AFTER INSERT OR UPDATE OR DELETE ON users FOR EACH ROW EXECUTE FUNCTION ${SYNC}()`,
];

/** The swap as the original makes it: one transaction that waits on the lock for as long as it takes. */
async function swap(db: pg.ClientBase): Promise<void> {
  await db.query(['BEGIN', ...swapStatements(await partitionRenames(db)), 'COMMIT'].join(';\n'));
}

/** The original's start-up on one shard, against the lab's copy: drop the table and make it again, empty, with `partitions` partitions. */
export async function recreateEmpty(db: pg.ClientBase, partitions: number): Promise<void> {
  await createNext(db, partitions);
  await swap(db);
}

/** The modulus of users_partitioned on a shard, or null when it has none. */
export async function modulusOf(db: pg.Pool | pg.ClientBase): Promise<number | null> {
  if (!(await exists(db))) return null;
  const { rows } = await db.query<{ bound: string }>(
    `SELECT pg_get_expr(c.relpartbound, c.oid) AS bound FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'public.${PARTITIONED}'::regclass LIMIT 1`,
  );
  return Number(/modulus (\d+)/i.exec(rows[0]?.bound ?? '')?.[1] ?? 0);
}

/** Removes the table, its partitions and the trigger from every shard that has them (a chapter reset). */
export async function dropPartitions(cluster: Pools): Promise<{ shards: { shard_name: string; dropped: boolean }[] }> {
  const shards = await Promise.all(
    cluster.shards.map((shard) =>
      cluster.pools.onShard(shard.id, async (pool) => {
        const had = await exists(pool);
        await pool.query(`DROP TRIGGER IF EXISTS ${NEXT_SYNC} ON users`);
        await pool.query(`DROP FUNCTION IF EXISTS ${NEXT_SYNC}()`);
        await pool.query(`DROP TABLE IF EXISTS ${NEXT}`);
        await pool.query(`DROP TRIGGER IF EXISTS ${SYNC} ON users`);
        await pool.query(`DROP TABLE IF EXISTS ${PARTITIONED}`);
        await pool.query(`DROP FUNCTION IF EXISTS ${SYNC}()`);
        return { shard_name: shard.name, dropped: had };
      }),
    ),
  );
  return { shards };
}

async function exists(db: pg.Pool | pg.ClientBase): Promise<boolean> {
  const { rows } = await db.query<{ t: string | null }>(`SELECT to_regclass('public.${PARTITIONED}')::text AS t`);
  return rows[0]?.t != null;
}

export interface PartitionRow {
  name: string;
  remainder: number | null;
  bound: string;
  rows: number;
  /** Of the shard's rows in the table, 0..1. */
  share: number;
  table_bytes: number;
  index_bytes: number;
}

export interface ShardPartitions {
  shard_name: string;
  reachable: boolean;
  partitioned: boolean;
  modulus: number | null;
  /** Rows in the shard's plain `users`, beside the partitioned copy's: equal when the copy is in step. */
  users_rows: number;
  rows: number;
  /** Ids in one table and not the other, compared in one snapshot: 0 when no write was lost or left over. */
  out_of_step: number;
  partitions: PartitionRow[];
  /** How far the fullest partition is above the mean, in percent; null without rows. */
  skew_pct: number | null;
  /** Pearson's χ² of the counts against an even spread; about `degrees_of_freedom` (± √(2·df)) when the hash spreads evenly. */
  chi_square: number | null;
  degrees_of_freedom: number | null;
  /**
   * The same χ² had the partitions been ranges of the ring's own hash (ring_hash × N / 2³²) instead of
   * PostgreSQL's: a shard owns only some arcs of that hash, so the two levels would depend on each other.
   */
  ring_hash_chi_square: number | null;
}

export interface PartitionReport {
  table: string;
  shards: ShardPartitions[];
}

/** Per shard, each partition's rows (counted now), size and index size from the catalog, share and skew. */
export async function inspectPartitions(cluster: Pools): Promise<PartitionReport> {
  const shards = await Promise.all(
    cluster.shards.map(async (shard): Promise<ShardPartitions | null> => {
      try {
        return await cluster.pools.onShard(shard.id, (pool) => inspectShard(pool, shard.name));
      } catch (err) {
        if (err instanceof ShardRemovedError) return null;
        if (!(err instanceof ShardUnavailableError)) throw err;
        return { ...empty(shard.name), reachable: false };
      }
    }),
  );
  return { table: PARTITIONED, shards: shards.filter((s) => s !== null) };
}

const empty = (shard_name: string): ShardPartitions => ({
  shard_name,
  reachable: true,
  partitioned: false,
  modulus: null,
  users_rows: 0,
  rows: 0,
  out_of_step: 0,
  partitions: [],
  skew_pct: null,
  chi_square: null,
  degrees_of_freedom: null,
  ring_hash_chi_square: null,
});

async function inspectShard(pool: pg.Pool, shardName: string): Promise<ShardPartitions> {
  const users = Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM users')).rows[0]?.n ?? 0);
  if (!(await exists(pool))) return { ...empty(shardName), users_rows: users };
  // One statement, one snapshot: a write commits to both tables or neither, so any difference here is real.
  const { rows: step } = await pool.query<{ users: string; copy: string; apart: string }>(
    `SELECT count(u.id) AS users, count(p.id) AS copy, count(*) FILTER (WHERE u.id IS NULL OR p.id IS NULL) AS apart
       FROM users u FULL JOIN ${PARTITIONED} p ON p.id = u.id`,
  );
  const { rows: parts } = await pool.query<{ name: string; bound: string; table_bytes: string; index_bytes: string }>(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound,
            pg_relation_size(c.oid) AS table_bytes, pg_indexes_size(c.oid) AS index_bytes
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'public.${PARTITIONED}'::regclass`,
  );
  const { rows: counts } = await pool.query<{ name: string; n: string }>(
    `SELECT tableoid::regclass::text AS name, count(*) AS n FROM ${PARTITIONED} GROUP BY 1`,
  );
  const counted = new Map(counts.map((c) => [c.name, Number(c.n)]));
  const total = [...counted.values()].reduce((a, b) => a + b, 0);
  const partitions = parts
    .map((p): PartitionRow => {
      const rows = counted.get(p.name) ?? 0;
      const m = /remainder (\d+)/i.exec(p.bound);
      return {
        name: p.name,
        remainder: m ? Number(m[1]) : null,
        bound: p.bound,
        rows,
        share: total ? rows / total : 0,
        table_bytes: Number(p.table_bytes),
        index_bytes: Number(p.index_bytes),
      };
    })
    .sort((a, b) => (a.remainder ?? 0) - (b.remainder ?? 0));
  const modulus = Number(/modulus (\d+)/i.exec(parts[0]?.bound ?? '')?.[1] ?? partitions.length);
  const { rows: ranges } = await pool.query<{ bucket: number; n: string }>(
    `SELECT (ring_hash * $1 / 4294967296)::int AS bucket, count(*) AS n FROM users GROUP BY 1`,
    [modulus],
  );
  const byRange = Array.from({ length: modulus }, (_, b) => Number(ranges.find((r) => r.bucket === b)?.n ?? 0));
  return {
    ...empty(shardName),
    users_rows: Number(step[0]?.users ?? users),
    out_of_step: Number(step[0]?.apart ?? 0),
    partitioned: true,
    modulus,
    rows: Number(step[0]?.copy ?? total),
    partitions,
    ...spread(partitions.map((p) => p.rows)),
    ring_hash_chi_square: spread(byRange).chi_square,
  };
}

/** Skew and χ² of counts against an even spread: how evenly PostgreSQL's hash filled this shard's partitions. */
export function spread(counts: number[]): Pick<ShardPartitions, 'skew_pct' | 'chi_square' | 'degrees_of_freedom'> {
  const total = counts.reduce((a, b) => a + b, 0);
  if (counts.length === 0 || total === 0) return { skew_pct: null, chi_square: null, degrees_of_freedom: null };
  const mean = total / counts.length;
  return {
    skew_pct: (100 * (Math.max(...counts) - mean)) / mean,
    chi_square: counts.reduce((x, c) => x + (c - mean) ** 2 / mean, 0),
    degrees_of_freedom: counts.length - 1,
  };
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
