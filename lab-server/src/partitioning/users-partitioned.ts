// Over 400 lines on purpose: the online rebuild's phases (the log trigger, the copy, the catch-up, the swap and its
// faithful twin) share one set of table, trigger and key names and are only correct read together; the inspector
// lives apart in users-inspector.ts.
import os from 'node:os';
import pg from 'pg';
import type { BUILD_MODES } from '../contracts/partitions.js';
import { ConflictError } from '../domain/errors.js';
import { JobCancelledError, throwIfCancelled } from '../jobs/registry.js';
import { type Holding, heldDdl } from './held-ddl.js';

/**
 * The Partitioning chapter's step on the messenger's own `users`: on every shard the live table is rebuilt as
 * `PARTITION BY HASH (id)` with N partitions `users_p0…` (the original's design), or back into a plain table,
 * while the messenger keeps writing to it. The new table is built beside the live one under the name
 * `users_next`, a trigger logs every row written meanwhile, the rows are copied and the logged ones copied again, and a short swap drops
 * the old table and gives the new one its name, indexes, triggers and the foreign keys that point at it.
 * Resharding, seeding, the API and the checks only ever name `users`, so they work on either shape.
 */
export const USERS = 'users';
const NEXT = 'users_next';
const NEXT_SYNC = `${NEXT}_sync`;
/** The ids written to users while the online build copies, replayed into the new table afterwards. */
const NEXT_LOG = `${NEXT}_log`;
/** The table's comment after a build: what the build was and how many ids its swap found in only one of the two tables. */
const BUILT_NOTE = 'lab: built ';

/** What PostgreSQL allows and the chapter teaches: a handful to a few dozen hash partitions. */
export const MIN_PARTITIONS = 2;
export const MAX_PARTITIONS = 64;

export type BuildMode = (typeof BUILD_MODES)[number];

export interface BuildReport {
  /** The new hash partition count, or null when users became a plain table again. */
  partitions: number | null;
  mode: BuildMode;
  shards: { shard_name: string; rows_copied: number; ms: number; blocked_ms: number; ids_lost: number; ids_revived: number }[];
}

// The catch-up replays the log until fewer than this many entries came in meanwhile; the swap replays the rest under its lock.
const CATCH_UP = 500;
// The shards copy a few at a time, not all at once: every shard of the lab shares this machine's cores, and five
// copies at once leave the messenger's own requests too little CPU to answer before their timeouts.
const COPIES_AT_ONCE = Math.max(1, Math.floor(os.availableParallelism() / 2));
// A batch's pause when requests are queueing for the shard's pool: the copy gives way to the traffic.
const YIELD_MS = 20;

/** What a build reports while it runs and how it learns it was cancelled: the part of a job's context it uses. */
export interface BuildProgress {
  signal: AbortSignal;
  progress(done: number, total?: number): void;
  phase(name: string): void;
}

const quiet: BuildProgress = { signal: new AbortController().signal, progress: () => undefined, phase: () => undefined };

/**
 * Rebuilds `users` on every shard with `partitions` hash partitions (null: a plain table), online or as the
 * original's faithful swap. `ms` is the whole build on a shard, `blocked_ms` the longest time the shard's
 * requests waited (the swap, and online the trigger's creation too). Every shard copies first and swaps only
 * once all have copied, so a failure or a cancel before the swaps removes everything built on every shard and
 * leaves each live table as it was.
 */
export async function buildPartitions(
  cluster: Holding,
  partitions: number | null,
  mode: BuildMode = 'online',
  job: BuildProgress = quiet,
): Promise<BuildReport> {
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
        await refuseDuringReshard(db, shard.name);
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
    const turn = queue(COPIES_AT_ONCE);
    const ms = await settleAll(
      shards.map((shard, i) =>
        turn(async () => {
          const db = dbs[i]!;
          throwIfCancelled(job.signal);
          await createNext(db, partitions);
          // The original's table has its keys before its copy; online they are built once the rows are in, which is quicker.
          if (mode === 'faithful') await indexNext(db);
          const rows =
            mode === 'online'
              ? await copyOnline(
                  db,
                  job.signal,
                  (n) => report(n, i),
                  (ddl) => heldDdl(cluster, shard.id, db, ddl, (ms) => (held[i] = Math.max(held[i]!, ms)), job.signal),
                  () => shard.pool.waitingCount > 0,
                )
              : await copyFaithful(db);
          report(rows, i);
          return performance.now() - started;
        }),
      ),
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
        const statements = await swapStatements(db, mode);
        if (mode === 'online') await heldDdl(cluster, shards[i]!.id, db, statements, (ms) => (blocked = ms));
        else {
          // The original's swap: no hold, no lock timeout; requests pile onto the shard's connections meanwhile.
          const swapStarted = performance.now();
          await db.query(['BEGIN', ...statements, 'COMMIT'].join(';\n'));
          blocked = performance.now() - swapStarted;
        }
        await afterSwap(db);
        return Math.max(blocked, held[i]!);
      }),
      shards,
    );
    const notes = await Promise.all(dbs.map((db) => lastBuild(db!)));
    return {
      partitions,
      mode,
      shards: shards.map((shard, i) => ({
        shard_name: shard.name,
        rows_copied: copied[i]!,
        ms: Math.round(ms[i]! + swapped[i]!),
        blocked_ms: Math.round(swapped[i]!),
        ids_lost: notes[i]?.lost ?? 0,
        ids_revived: notes[i]?.revived ?? 0,
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

/** Runs the functions it is given at most `n` at a time, in the order given. */
function queue(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (fn) => {
    // A finished function hands its place to the next waiting one, so no newcomer slips in between.
    if (running >= n) await new Promise<void>((go) => waiting.push(go));
    else running++;
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

/** Waits for every shard; the first failure, named by shard, once all have stopped (so cleanup never races a copy). */
async function settleAll(work: Promise<number>[], shards: readonly { name: string }[]): Promise<number[]> {
  const settled = await Promise.allSettled(work);
  const failed = settled.findIndex((r) => r.status === 'rejected');
  if (failed >= 0) {
    const reason = (settled[failed] as PromiseRejectedResult).reason;
    if (reason instanceof JobCancelledError || reason instanceof ConflictError) throw reason;
    throw new ConflictError(
      'partitioning_failed',
      `${shards[failed]!.name}: rebuilding ${USERS} failed (${errText(reason)}); the live table on every shard is unchanged. Check the shard is up, then build again.`,
    );
  }
  return settled.map((r) => (r as PromiseFulfilledResult<number>).value);
}

/** A reshard publishes users by its table's identity: a swap would drop the table out of its publication mid-move. */
async function refuseDuringReshard(db: pg.ClientBase, shardName: string): Promise<void> {
  const { rowCount } = await db.query(`SELECT 1 FROM pg_publication WHERE pubname LIKE 'lab\\_reshard\\_%'`);
  if (rowCount) throw new ConflictError('resharding', `${shardName} is moving rows to another shard; rebuild ${USERS} once the move has finished.`);
}

/** Tables, indexes, triggers and functions of an unfinished build still on a shard: 0 after a clean cancel. */
async function leftBehind(db: pg.ClientBase): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    `SELECT (SELECT count(*) FROM pg_class WHERE starts_with(relname, '${NEXT}')) + (SELECT count(*) FROM pg_trigger WHERE tgname = '${NEXT_SYNC}')
          + (SELECT count(*) FROM pg_proc WHERE proname = '${NEXT_SYNC}') AS n`,
  );
  return Number(rows[0]?.n ?? 0);
}

/**
 * The new table beside the live one: the same columns, defaults and checks (LIKE), hash-partitioned or plain.
 * Its keys come from `indexNext`; triggers and foreign keys follow at the swap.
 */
async function createNext(db: pg.ClientBase, partitions: number | null): Promise<void> {
  await dropNext(db);
  await db.query(
    `CREATE TABLE ${NEXT} (LIKE ${USERS} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING COMMENTS INCLUDING STORAGE)${partitions ? ' PARTITION BY HASH (id)' : ''}`,
  );
  for (let r = 0; partitions && r < partitions; r++) {
    await db.query(`CREATE TABLE ${NEXT}_p${r} PARTITION OF ${NEXT} FOR VALUES WITH (MODULUS ${partitions}, REMAINDER ${r})`);
  }
}

/** The new table's primary key and the live table's own indexes under temporary names (`<name>_next`). */
async function indexNext(db: pg.ClientBase): Promise<void> {
  await db.query(`ALTER TABLE ${NEXT} ADD CONSTRAINT ${NEXT}_pkey PRIMARY KEY (id)`);
  // Declared once on a partitioned parent; PostgreSQL creates one per partition.
  for (const index of await liveIndexes(db)) await db.query(index.next);
}

/** The live table's indexes other than its primary key, each as a definition for the new table under `<name>_next`. */
async function liveIndexes(db: pg.ClientBase): Promise<{ name: string; next: string }[]> {
  const { rows } = await db.query<{ name: string; def: string }>(
    `SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS def FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      WHERE i.indrelid = '${USERS}'::regclass AND NOT i.indisprimary`,
  );
  return rows.map(({ name, def }) => ({
    name,
    // A partitioned parent's index reads `ON ONLY public.users`; the new one is declared on the whole table.
    next: def.replace(/ INDEX (\S+) ON (ONLY )?public\.users USING /, ` INDEX ${name}_next ON public.${NEXT} USING `),
  }));
}

async function dropNext(db: pg.ClientBase): Promise<void> {
  // DROP TRIGGER locks users ACCESS EXCLUSIVE even when there is nothing to drop: only when there is.
  const { rowCount } = await db.query(`SELECT 1 FROM pg_trigger WHERE tgname = '${NEXT_SYNC}' AND tgrelid = '${USERS}'::regclass`);
  if (rowCount) await db.query(`DROP TRIGGER ${NEXT_SYNC} ON ${USERS}`);
  await db.query(`DROP FUNCTION IF EXISTS ${NEXT_SYNC}()`);
  await db.query(`DROP TABLE IF EXISTS ${NEXT}, ${NEXT_LOG}`);
}

/**
 * Online: first log the id of every row written to `users` from now on (a trigger into `users_next_log`),
 * then copy the rows as they are — one INSERT … SELECT per partition of the live table, no row locked, as fast
 * as the original's copy — and then catch up: the logged ids are copied again as they are now (deleted from
 * the new table, inserted from the live one) until few are left. The swap replays the last of them under its
 * lock. A row changed at any moment after the trigger is in the log, so whatever a copy read of it is replaced.
 */
async function copyOnline(
  db: pg.ClientBase,
  signal: AbortSignal,
  progress: (copied: number) => void,
  ddl: (statements: string[]) => Promise<void>,
  busy: () => boolean,
): Promise<number> {
  await db.query(`CREATE UNLOGGED TABLE ${NEXT_LOG} (seq bigserial PRIMARY KEY, id uuid NOT NULL)`);
  await db.query(`CREATE OR REPLACE FUNCTION ${NEXT_SYNC}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') THEN INSERT INTO ${NEXT_LOG} (id) VALUES (OLD.id); END IF;
      IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.id <> OLD.id) THEN INSERT INTO ${NEXT_LOG} (id) VALUES (NEW.id); END IF;
      RETURN NULL;
    END $$`);
  // Creating the trigger waits for the writes in flight: every write after it is logged, every one before it is in the copy's snapshot.
  await ddl([`CREATE TRIGGER ${NEXT_SYNC} AFTER INSERT OR UPDATE OR DELETE ON ${USERS} FOR EACH ROW EXECUTE FUNCTION ${NEXT_SYNC}()`]);
  const { rows: sources } = await db.query<{ name: string }>(`SELECT relid::regclass::text AS name FROM pg_partition_tree('${USERS}') WHERE isleaf`);
  let copied = 0;
  // The same columns in the same order (LIKE, and a partition has its parent's), so a row of users is a row of the new table.
  for (const { name } of sources.length ? sources : [{ name: USERS }]) {
    // Nothing else writes the new table yet, and the sources hold disjoint ids: no conflict to check for.
    const r = await db.query(`INSERT INTO ${NEXT} SELECT * FROM ${name}`);
    copied += r.rowCount ?? 0;
    progress(copied);
    throwIfCancelled(signal);
    if (busy()) await new Promise((r) => setTimeout(r, YIELD_MS));
  }
  // The keys and indexes, built once over all the rows (the replay looks ids up by them).
  await indexNext(db);
  for (;;) {
    const replayed = await replay(db);
    throwIfCancelled(signal);
    if (replayed < CATCH_UP) return copied;
  }
}

/** Copies the logged ids again as `users` holds them now, and forgets them; how many log entries it replayed. */
async function replay(db: pg.ClientBase): Promise<number> {
  const upTo = (await db.query<{ m: string | null }>(`SELECT max(seq)::text AS m FROM ${NEXT_LOG}`)).rows[0]?.m;
  if (!upTo) return 0;
  await db.query('BEGIN');
  try {
    for (const statement of replayStatements(`seq <= ${upTo}`)) await db.query(statement);
    const { rowCount } = await db.query(`DELETE FROM ${NEXT_LOG} WHERE seq <= ${upTo}`);
    await db.query('COMMIT');
    return rowCount ?? 0;
  } catch (err) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** The logged rows (those matching `where`) made again in the new table from the live one: gone if deleted, as they are now if not. */
const replayStatements = (where: string) => [
  `DELETE FROM ${NEXT} WHERE id IN (SELECT id FROM ${NEXT_LOG} WHERE ${where})`,
  `INSERT INTO ${NEXT} SELECT * FROM ${USERS} WHERE id IN (SELECT id FROM ${NEXT_LOG} WHERE ${where}) ON CONFLICT (id) DO NOTHING`,
];

/** Faithful: the original's one INSERT … SELECT from a snapshot; writes committed while it runs go to the old table only. */
async function copyFaithful(db: pg.ClientBase): Promise<number> {
  const r = await db.query(`INSERT INTO ${NEXT} SELECT * FROM ${USERS}`);
  return r.rowCount ?? 0;
}

/**
 * The swap's statements, one transaction: lock the live table, count by id what only one of the two tables
 * holds (written on the table as its comment), drop the foreign keys that point at it and the table, give
 * the new table, its partitions and indexes the live names, and put back the triggers and foreign keys (NOT
 * VALID: checking them would scan the referencing tables under the lock; `afterSwap` validates them).
 * `emptyDependents` (the original's start-up, which drops the users): the referencing tables' rows go too.
 */
async function swapStatements(db: pg.ClientBase, mode: BuildMode | 'startup', emptyDependents = false): Promise<string[]> {
  const indexes = await liveIndexes(db);
  const { rows: triggers } = await db.query<{ def: string }>(
    `SELECT pg_get_triggerdef(oid) AS def FROM pg_trigger WHERE tgrelid = '${USERS}'::regclass AND NOT tgisinternal AND tgparentid = 0 AND tgname <> '${NEXT_SYNC}'`,
  );
  const { rows: fks } = await db.query<{ tbl: string; name: string; def: string }>(
    `SELECT conrelid::regclass::text AS tbl, conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint
      WHERE confrelid = '${USERS}'::regclass AND contype = 'f' AND conparentid = 0 AND conrelid <> '${NEXT}'::regclass`,
  );
  const note = `'${BUILT_NOTE}' || json_build_object('mode', '${mode}', 'lost', lost, 'revived', revived)::text`;
  // An online build's last logged ids, replayed while no write can come in.
  const logged = (await db.query<{ t: string | null }>(`SELECT to_regclass('${NEXT_LOG}')::text AS t`)).rows[0]?.t != null;
  return [
    `LOCK TABLE ${USERS} IN ACCESS EXCLUSIVE MODE`,
    ...(logged ? replayStatements('true') : []),
    `DO $$ DECLARE lost bigint; revived bigint; BEGIN
       SELECT count(*) FILTER (WHERE n.id IS NULL), count(*) FILTER (WHERE o.id IS NULL) INTO lost, revived
         FROM ${USERS} o FULL JOIN ${NEXT} n ON n.id = o.id WHERE o.id IS NULL OR n.id IS NULL;
       EXECUTE format('COMMENT ON TABLE ${NEXT} IS %L', ${note});
     END $$`,
    ...(emptyDependents && fks.length ? [`TRUNCATE ${[...new Set(fks.map((f) => f.tbl))].join(', ')} CASCADE`] : []),
    ...fks.map((f) => `ALTER TABLE ${f.tbl} DROP CONSTRAINT ${f.name}`),
    `DROP TRIGGER IF EXISTS ${NEXT_SYNC} ON ${USERS}`,
    `DROP FUNCTION IF EXISTS ${NEXT_SYNC}()`,
    `DROP TABLE IF EXISTS ${NEXT_LOG}`,
    `DROP TABLE ${USERS}`,
    `ALTER TABLE ${NEXT} RENAME TO ${USERS}`,
    // users_next_pkey → users_pkey (its constraint with it), users_next_p3 → users_p3, users_next_p3_pkey → users_p3_pkey, …
    `DO $$ DECLARE r record; BEGIN
       FOR r IN SELECT relname, relkind FROM pg_class WHERE relnamespace = 'public'::regnamespace AND starts_with(relname, '${NEXT}_') LOOP
         EXECUTE format('ALTER %s %I RENAME TO %I', CASE WHEN r.relkind IN ('i', 'I') THEN 'INDEX' ELSE 'TABLE' END, r.relname, '${USERS}_' || substr(r.relname, ${NEXT.length + 2}));
       END LOOP;
     END $$`,
    ...indexes.map((i) => `ALTER INDEX ${i.name}_next RENAME TO ${i.name}`),
    ...triggers.map((t) => t.def),
    ...fks.map((f) => `ALTER TABLE ${f.tbl} ADD CONSTRAINT ${f.name} ${f.def} NOT VALID`),
  ];
}

/** Once the swap has committed: the foreign keys checked without blocking writes, and fresh statistics for the planner. */
async function afterSwap(db: pg.ClientBase): Promise<void> {
  const { rows } = await db.query<{ tbl: string; name: string }>(
    `SELECT conrelid::regclass::text AS tbl, conname AS name FROM pg_constraint WHERE confrelid = '${USERS}'::regclass AND contype = 'f' AND NOT convalidated AND conparentid = 0`,
  );
  for (const f of rows) await db.query(`ALTER TABLE ${f.tbl} VALIDATE CONSTRAINT ${f.name}`);
  await db.query(`ANALYZE ${USERS}`);
}

/** What the last build on this shard recorded on the table: its mode and the ids its swap found in only one of the tables. */
export async function lastBuild(db: pg.Pool | pg.ClientBase): Promise<{ mode: string; lost: number; revived: number } | null> {
  const { rows } = await db.query<{ c: string | null }>(`SELECT obj_description('public.${USERS}'::regclass, 'pg_class') AS c`);
  const c = rows[0]?.c;
  if (!c?.startsWith(BUILT_NOTE)) return null;
  const note = JSON.parse(c.slice(BUILT_NOTE.length)) as { mode: string; lost: number; revived: number };
  return note;
}

/**
 * The original's start-up on one shard: drop `users` and make it again, empty, with `partitions` partitions.
 * The rows that hung off the users (accounts, memberships of the inbox) go with them.
 */
export async function recreateEmpty(db: pg.ClientBase, partitions: number): Promise<void> {
  await createNext(db, partitions);
  await indexNext(db);
  await db.query(['BEGIN', ...(await swapStatements(db, 'startup', true)), 'COMMIT'].join(';\n'));
  await afterSwap(db);
}

/**
 * Gives a new shard's users the layout `serving` has (the add-shard job, before any row arrives): hash-partitioned
 * as the serving shards are, so every shard's users keeps the chapter's shape. Returns the partition count, or
 * null when the serving shard's users is plain (then nothing changes).
 */
export async function matchUsersLayout(serving: pg.Pool, url: string): Promise<number | null> {
  const partitions = await modulusOf(serving);
  if (partitions === null) return null;
  const db = new pg.Client({ connectionString: url, application_name: 'shard-lab-partitioning' });
  await db.connect();
  try {
    if ((await modulusOf(db)) !== partitions) {
      await createNext(db, partitions);
      await indexNext(db);
      await db.query(['BEGIN', ...(await swapStatements(db, 'online')), 'COMMIT'].join(';\n'));
      await afterSwap(db);
    }
  } finally {
    await db.end().catch(() => undefined);
  }
  return partitions;
}

/** The hash modulus of users on a shard, or null when it is a plain table. */
export async function modulusOf(db: pg.Pool | pg.ClientBase): Promise<number | null> {
  const { rows } = await db.query<{ bound: string | null }>(
    `SELECT (SELECT pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = t.oid LIMIT 1) AS bound
       FROM pg_class t WHERE t.oid = '${USERS}'::regclass AND t.relkind = 'p'`,
  );
  if (rows.length === 0) return null;
  return Number(/modulus (\d+)/i.exec(rows[0]?.bound ?? '')?.[1] ?? 0);
}

/** Turns users back into a plain table, online, on every shard where it is partitioned (the chapter's reset); no row is lost. */
export async function dropPartitions(cluster: Holding): Promise<{ shards: { shard_name: string; dropped: boolean }[] }> {
  const had = await Promise.all(
    cluster.shards.map((shard) => cluster.pools.onShard(shard.id, async (pool) => ({ shard_name: shard.name, dropped: (await modulusOf(pool)) !== null }))),
  );
  if (had.some((s) => s.dropped)) await buildPartitions(cluster, null, 'online');
  return { shards: had };
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
