// Over 400 lines on purpose: this is the one object that holds the drills' shared state (runs, the runner each
// shard is inside, the deployed app version, setup queues) so no drill runs over another; each drill's own logic
// lives in its file beside it (faithful, lock-queue, ddl-blocking, drift, rename, app-requests).
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import type { Cluster } from '../cluster/cluster.js';
import { ConflictError, InvalidInputError } from '../domain/errors.js';
import { listMigrations, migrateShard, pgErrorText, type MigrateAction, type MigrationTarget } from '../migrations/index.js';
import { runFaithful } from './faithful.js';
import { DRIFT_INDEX, DRIFT_SQL, readSchema, schemaDrift, type DriftReport } from './drift.js';
import { DDL_CHANGES, ddlBlocking, type DdlChange, type DdlReport } from './ddl-blocking.js';
import { lockQueue, type LockQueueOptions, type LockQueueReport } from './lock-queue.js';
import { type ApiClient, type AppRequestsReport, appRequests, DrillUsers } from './app-requests.js';
import { renameDrill, type RenameMode, type RenameReport } from './rename.js';
import { DRILL_APPLICATION, DRILL_DIR, DRILL_LOCK_KEY, DRILL_SCHEMA, drillSet, SETUP_SQL } from './setup.js';
import type {
  CellState,
  CrashReport,
  RunPhase,
  DrillLock,
  DrillMode,
  DrillRunReport,
  DrillShardReport,
  DrillShardStatus,
  DrillStatus,
  ProbeReport,
} from './types.js';

const KEPT_RUNS = 10;
/** How long a crash drill's runner sleeps inside its migration: far longer than the lab needs to kill it. */
const CRASH_PAUSE_S = 30;
const WAIT_STEP_MS = 100;
const WAIT_LIMIT_MS = 15_000;

/** The new version's write; after a rename drill the deployed version writes `text` instead of `body`. */
const probeSql = (column: 'body' | 'text') => `INSERT INTO ${DRILL_SCHEMA}.notes (${column}, priority, tags) VALUES ('probe', 1, ARRAY['drill'])`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How long a drill asked to run under load waits for the started load test to send its first second of traffic. */
const LOAD_WAIT_MS = 60_000;

/** The lab's load-test engine, as far as a drill uses it: which run is going, and a mark on its timeline. */
export interface LoadMarker {
  running(): { id: string; state: string; progress: { elapsed_s: number } | null } | null;
  mark(kind: string, label: string): void;
}

interface ShardRef {
  id: number;
  name: string;
  url: string;
}

/**
 * The Migrations chapter's drills: the drill migration set (`migrations-drill/`, schema `lab_drill`) run on
 * every shard by the lab's runner or the original's, with failures injected on one shard, runs killed half-way,
 * and the state of both kinds of lock per shard. Nothing here touches the messenger's schema.
 */
export class MigrationDrill {
  private readonly runs: DrillRunReport[] = [];
  private lastCrash: CrashReport | null = null;
  /** The newest lock-queue drill of each kind: a plain ALTER, and one with lock_timeout. */
  private readonly lockQueues = new Map<'plain' | 'lock_timeout', LockQueueReport>();
  /** The newest schema-change drill of each change. */
  private readonly ddlReports = new Map<DdlChange, DdlReport>();
  /** Shards with a schema-change drill running: two at once would share one probe table. */
  private readonly ddlBusy = new Set<string>();
  /** shard → migration its runner is inside right now. */
  private readonly running = new Map<string, string>();
  /** shard → the step of the runner's flow it is at now (the chapter's animated flow). */
  private readonly phases = new Map<string, RunPhase>();
  /** One messenger user per shard, whose notes requests the drills send. */
  private readonly users = new DrillUsers();
  private lastRequests: AppRequestsReport | null = null;
  private readonly renames = new Map<RenameMode, RenameReport>();
  private renameBusy = false;
  /** The notes app version deployed now: 1 until a rename drill ends with version 4 (the column is then `text`). */
  private deployed = 1;
  /** Setup statements on one shard run one after another (CREATE … IF NOT EXISTS races with itself). */
  private readonly setupQueue = new Map<string, Promise<unknown>>();

  constructor(
    private readonly cluster: Pick<Cluster, 'shards' | 'pools'>,
    private readonly load: () => LoadMarker | null = () => null,
  ) {}

  private shards(): ShardRef[] {
    return this.cluster.shards.map((s) => ({ id: s.id, name: s.name, url: s.url }));
  }

  private shard(name: string): ShardRef {
    const s = this.shards().find((x) => x.name === name || String(x.id) === name);
    if (!s)
      throw new InvalidInputError(
        'validation_failed',
        `No shard '${name}'; choose one of ${this.shards()
          .map((x) => x.name)
          .join(', ')}.`,
        { field: 'shard' },
      );
    return s;
  }

  private onShard<T>(s: ShardRef, fn: (pool: pg.Pool) => Promise<T>): Promise<T> {
    return this.cluster.pools.onShard(s.id, fn);
  }

  private setup(s: ShardRef): Promise<unknown> {
    const next = (this.setupQueue.get(s.name) ?? Promise.resolve()).catch(() => undefined).then(() => this.onShard(s, (pool) => pool.query(SETUP_SQL)));
    this.setupQueue.set(s.name, next);
    return next;
  }

  async migrations(): Promise<string[]> {
    return listMigrations(DRILL_DIR);
  }

  /** The matrix: each drill migration's state on each shard, the faults, both locks, the latest runs. */
  async status(): Promise<DrillStatus> {
    const migrations = await this.migrations();
    const lastFailure = new Map<string, { migration: string | null; message: string }>();
    // The newest run that touched a shard decides whether its failure still stands.
    for (const run of this.runs) for (const r of run.shards) lastFailure.set(r.shard, r.failed ?? { migration: null, message: '' });
    const shards = await Promise.all(
      this.shards().map(async (s): Promise<DrillShardStatus> => {
        try {
          const { applied, faults, lock } = await this.onShard(s, (pool) => readShard(pool));
          const done = new Map(applied.map((a) => [a.name, a.run_on]));
          const failure = lastFailure.get(s.name);
          const cells = migrations.map((m) => {
            let state: CellState = done.has(m) ? 'applied' : 'pending';
            let error: string | null = null;
            if (this.running.get(s.name) === m) state = 'running';
            else if (state === 'pending' && failure?.migration === m) {
              state = 'failed';
              error = failure.message;
            }
            return { migration: m, state, run_on: done.get(m) ?? null, error };
          });
          return { shard: s.name, error: null, cells, applied: applied.length, faults, lock, phase: this.phases.get(s.name) ?? null };
        } catch (e) {
          return {
            shard: s.name,
            error: `${s.name}: ${pgErrorText(e)}`,
            cells: [],
            applied: 0,
            faults: [],
            lock: { row_locked: null, advisory_pid: null, runner_pids: [] },
            phase: this.phases.get(s.name) ?? null,
          };
        }
      }),
    );
    return {
      migrations,
      shards,
      runs: [...this.runs].reverse(),
      last_crash: this.lastCrash,
      lock_queues: { plain: this.lockQueues.get('plain') ?? null, lock_timeout: this.lockQueues.get('lock_timeout') ?? null },
      ddl: Object.fromEntries(DDL_CHANGES.map((c) => [c, this.ddlReports.get(c) ?? null])) as Record<DdlChange, DdlReport | null>,
      requests: this.lastRequests,
      renames: { 'expand-contract': this.renames.get('expand-contract') ?? null, 'one-step': this.renames.get('one-step') ?? null },
    };
  }

  /** Makes `migration` fail on `shard` (a row in `lab_drill.faults` the migration's hook finds) until cleared. */
  async injectFault(shardName: string, migration: string): Promise<void> {
    const s = this.shard(shardName);
    const names = await this.migrations();
    if (!names.includes(migration))
      throw new InvalidInputError('validation_failed', `No drill migration '${migration}'; choose one of ${names.join(', ')}.`, { field: 'migration' });
    await this.setup(s);
    await this.onShard(s, (pool) => pool.query(`INSERT INTO ${DRILL_SCHEMA}.faults (migration) VALUES ($1) ON CONFLICT DO NOTHING`, [migration]));
  }

  /** The fix: removes every injected fault (on one shard, or all). Returns how many were removed. */
  async clearFaults(shardName?: string): Promise<number> {
    const targets = shardName ? [this.shard(shardName)] : this.shards();
    const removed = await Promise.all(
      targets.map((s) =>
        this.onShard(s, async (pool) => {
          const present = (await pool.query<{ ok: boolean }>(`SELECT to_regclass('${DRILL_SCHEMA}.faults') IS NOT NULL AS ok`)).rows[0]?.ok;
          return present ? ((await pool.query(`DELETE FROM ${DRILL_SCHEMA}.faults`)).rowCount ?? 0) : 0;
        }),
      ),
    );
    return removed.reduce((a, b) => a + b, 0);
  }

  /** Runs `action` on every shard with the chosen runner; failures are in the report, never thrown. */
  async run(action: MigrateAction, mode: DrillMode, pauseSeconds = 0, crash = false): Promise<DrillRunReport> {
    const shards = this.shards();
    const startedAt = new Date();
    const t0 = performance.now();
    const reports = await Promise.all(shards.map((s) => this.runOne(s, action, mode, pauseSeconds)));
    const report: DrillRunReport = {
      action,
      mode,
      ok: reports.every((r) => r.failed === null),
      crash,
      started_at: startedAt.toISOString(),
      ms: performance.now() - t0,
      shards: reports,
    };
    this.runs.push(report);
    if (this.runs.length > KEPT_RUNS) this.runs.shift();
    return report;
  }

  private async runOne(s: ShardRef, action: MigrateAction, mode: DrillMode, pauseSeconds: number): Promise<DrillShardReport> {
    const t0 = performance.now();
    const ran: DrillShardReport['ran'] = [];
    let startedAt = t0;
    const start = (m: string) => {
      startedAt = performance.now();
      this.running.set(s.name, m);
      this.phases.set(s.name, { step: 'apply', migration: m });
    };
    const done = (m: string) => {
      ran.push({ migration: m, ms: performance.now() - startedAt });
      this.running.delete(s.name);
      this.phases.set(s.name, { step: 'record', migration: m });
    };
    const finish = (error: { migration: string | null; message: string } | null, skipped: string | null): DrillShardReport => {
      this.running.delete(s.name);
      this.phases.set(s.name, { step: error ? 'failed' : 'released', migration: error?.migration ?? null });
      const now = performance.now();
      return { shard: s.name, ran, failed: error ? { ...error, ms: now - (error.migration ? startedAt : t0) } : null, skipped, ms: now - t0 };
    };
    this.phases.set(s.name, { step: 'connect', migration: null });
    try {
      await this.setup(s);
    } catch (e) {
      return finish({ migration: null, message: `${s.name}: cannot prepare the drill schema: ${pgErrorText(e)}` }, null);
    }
    const target: MigrationTarget = { name: s.name, url: s.url };
    // Tracking table ready; the runner now takes its lock and subtracts the applied files from the known ones.
    this.phases.set(s.name, { step: 'lock', migration: null });
    if (mode === 'faithful') {
      const r = await runFaithful(target, DRILL_DIR, action, { start, done }, pauseSeconds);
      return finish(r.error, r.skipped);
    }
    const r = await migrateShard(target, DRILL_DIR, action, {
      set: drillSet(pauseSeconds),
      onProgress: (e) => (e.phase === 'start' ? start(e.migration) : done(e.migration)),
    });
    return finish(r.error, null);
  }

  /** Both locks and the runner sessions on every shard. */
  async locks(): Promise<{ shard: string; lock: DrillLock }[]> {
    return Promise.all(
      this.shards().map(async (s) => ({
        shard: s.name,
        lock: await this.onShard(s, async (pool) => (await readShard(pool)).lock).catch(() => ({ row_locked: null, advisory_pid: null, runner_pids: [] })),
      })),
    );
  }

  /**
   * Starts `up` with the chosen runner, waits until every shard's runner sleeps inside its migration, reads the
   * locks, terminates the runner's sessions (the lab's stand-in for a killed runner process: its connection
   * dies with it) and reads the locks again once the sessions have ended.
   */
  async crash(mode: DrillMode): Promise<CrashReport> {
    const before = await this.status();
    // Shards with a pending migration get a runner to kill; the others' runs end at once with nothing to do.
    const expected = new Set(before.shards.filter((s) => s.error === null && s.cells.some((c) => c.state !== 'applied')).map((s) => s.shard));
    if (expected.size === 0) {
      throw new ConflictError(
        'nothing_pending',
        'Every drill migration is applied on every shard: there is nothing to kill a run in. Roll one back first (down).',
      );
    }
    const running = this.run('up', mode, CRASH_PAUSE_S, true);
    let settled = false;
    void running.finally(() => {
      settled = true;
    });
    const shards = this.shards();
    const sleepers = async () =>
      Promise.all(
        shards.map((s) =>
          this.onShard(s, async (pool) => {
            const { rows } = await pool.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND wait_event = 'PgSleep'`, [
              DRILL_APPLICATION,
            ]);
            return { shard: s.name, pids: rows.map((r) => r.pid) };
          }),
        ),
      );
    let found = await sleepers();
    const waiting = () => found.some((f) => expected.has(f.shard) && f.pids.length === 0);
    for (let waited = 0; !settled && waited < WAIT_LIMIT_MS && waiting(); waited += WAIT_STEP_MS) {
      await sleep(WAIT_STEP_MS);
      found = await sleepers();
    }
    const during = await this.locks();
    const killed: CrashReport['killed'] = [];
    for (const f of found) {
      const s = this.shard(f.shard);
      for (const pid of f.pids) {
        killed.push({ shard: f.shard, pid, migration: this.running.get(f.shard) ?? null });
        await this.onShard(s, (pool) => pool.query('SELECT pg_terminate_backend($1)', [pid]));
      }
    }
    const run = await running;
    await this.waitForRunnersToEnd();
    const after = await this.locks();
    const stuck = after.filter((a) => a.lock.row_locked === true || a.lock.advisory_pid !== null).map((a) => a.shard);
    const verdict =
      killed.length === 0
        ? 'The run ended before it could be killed: nothing was killed.'
        : stuck.length > 0
          ? `The killed run left its lock set on ${stuck.join(', ')}: the next run there refuses (up, down) or silently does nothing (latest) until someone frees it.`
          : 'The killed sessions took their locks with them: no shard is locked, and the next run can start at once.';
    this.lastCrash = { mode, during, killed, after, run, verdict };
    return this.lastCrash;
  }

  private async waitForRunnersToEnd(): Promise<void> {
    for (let waited = 0; waited < WAIT_LIMIT_MS; waited += WAIT_STEP_MS) {
      const locks = await this.locks();
      if (locks.every((l) => l.lock.runner_pids.length === 0)) return;
      await sleep(WAIT_STEP_MS);
    }
  }

  /** The original's manual fix, on every shard: `UPDATE migration_lock SET locked = false WHERE id = 1`. Returns the shards it freed. */
  async unlock(): Promise<string[]> {
    const freed = await Promise.all(
      this.shards().map((s) =>
        this.onShard(s, async (pool) => {
          const present = (await pool.query<{ ok: boolean }>(`SELECT to_regclass('${DRILL_SCHEMA}.migration_lock') IS NOT NULL AS ok`)).rows[0]?.ok;
          if (!present) return null;
          const r = await pool.query(`UPDATE ${DRILL_SCHEMA}.migration_lock SET locked = false, updated_at = now() WHERE id = 1 AND locked`);
          return r.rowCount ? s.name : null;
        }),
      ),
    );
    return freed.filter((x): x is string => x !== null);
  }

  /** The write a new app version makes, tried on every shard and rolled back: where the schema lags, it fails. */
  async probe(): Promise<ProbeReport> {
    const sql = probeSql(this.deployed === 4 ? 'text' : 'body');
    const shards = await Promise.all(
      this.shards().map((s) =>
        this.onShard(s, async (pool) => {
          const client = await pool.connect();
          const t0 = performance.now();
          try {
            await client.query('BEGIN');
            await client.query(sql);
            return { shard: s.name, ok: true, error: null, ms: performance.now() - t0 };
          } catch (e) {
            return { shard: s.name, ok: false, error: `${s.name}: ${pgErrorText(e)}`, ms: performance.now() - t0 };
          } finally {
            await client.query('ROLLBACK').catch(() => undefined);
            client.release();
          }
        }),
      ),
    );
    return { sql, shards };
  }

  /**
   * The lock queue on one shard's `users` (see lock-queue.ts): the ALTER is rolled back, the schema never changes.
   * `underLoad`: run it inside the lab's running load test (waiting for its traffic to start), marked on its
   * timeline, so the run's per-second latency and errors show what the queue did to the API's requests.
   */
  async lockQueue(shardName: string, opts: LockQueueOptions, underLoad = false): Promise<LockQueueReport> {
    const shard = this.shard(shardName);
    const kind = opts.lock_timeout_ms === null ? 'plain' : 'lock_timeout';
    const run = underLoad ? await this.runningLoadTest() : null;
    const label = `${kind === 'plain' ? 'plain ALTER' : `ALTER with lock_timeout ${opts.lock_timeout_ms} ms`} on ${shard.name}`;
    const elapsed = () => this.load()?.running()?.progress?.elapsed_s ?? 0;
    const from = elapsed();
    if (run) this.load()?.mark('migration', label);
    const report = await lockQueue(shard, opts, DRILL_APPLICATION);
    if (run) {
      const now = this.load()?.running();
      // The queue outlasted the load test: its effect is not all inside the run.
      if (now?.id !== run) throw new ConflictError('loadtest_ended', `Load test ${run} ended during the drill: start a longer one and run the drill again.`);
      report.under_load = { run_id: run, from_s: from, to_s: elapsed() };
    }
    this.lockQueues.set(kind, report);
    return report;
  }

  /** The id of the load test that is sending traffic now, waiting for one that is still preparing. */
  private async runningLoadTest(): Promise<string> {
    for (let waited = 0; waited < LOAD_WAIT_MS; waited += WAIT_STEP_MS) {
      const run = this.load()?.running();
      if (!run) break;
      if (run.state === 'running' && (run.progress?.elapsed_s ?? 0) >= 1) return run.id;
      await sleep(WAIT_STEP_MS);
    }
    throw new ConflictError(
      'no_loadtest',
      'No load test is running: start one (the Load test panel, or `loadtest run standard`), then run the drill under it.',
    );
  }

  /** One schema change on one shard's probe table under a stream of inserts (see ddl-blocking.ts). */
  async ddl(shardName: string, change: DdlChange, rows: number): Promise<DdlReport> {
    const s = this.shard(shardName);
    if (this.ddlBusy.has(s.name)) throw new ConflictError('ddl_busy', `A schema-change drill is already running on ${s.name}: wait for it to finish.`);
    this.ddlBusy.add(s.name);
    try {
      await this.setup(s);
      const report = await ddlBlocking(s, change, rows, DRILL_APPLICATION);
      this.ddlReports.set(change, report);
      return report;
    } finally {
      this.ddlBusy.delete(s.name);
    }
  }

  /** Every shard's messenger schema and tracking table against what most shards have (see drift.ts). */
  async drift(): Promise<DriftReport> {
    return schemaDrift(this.shards().map((s) => ({ name: s.name, read: () => this.onShard(s, readSchema) })));
  }

  /** Someone's fix by hand on one shard: an index on `users` the migrations know nothing about. Random shard unless named. */
  async introduceDrift(shardName?: string): Promise<void> {
    const all = this.shards();
    const s = shardName ? this.shard(shardName) : all[Math.floor(Math.random() * all.length)];
    if (!s) throw new ConflictError('no_shards', 'The lab has no shard to change.');
    await this.onShard(s, (pool) => pool.query(DRIFT_SQL));
  }

  /**
   * The new app version's own requests, through the messenger API (`/api/v1/users/:id/notes`), for one user
   * on every shard: where the drill migrations lag, they fail, on that shard only.
   */
  async requests(api: ApiClient, version?: number): Promise<AppRequestsReport> {
    const users = await this.users.get(
      api,
      this.shards().map((s) => s.name),
    );
    this.lastRequests = await appRequests(api, users, version ?? this.deployed);
    return this.lastRequests;
  }

  /** Renames a column of the notes on every shard while the notes API is in use: in one step, or by expand and contract. */
  async rename(api: ApiClient, mode: RenameMode): Promise<RenameReport> {
    const st = await this.status();
    const behind = st.shards.filter((s) => s.error !== null || s.applied < st.migrations.length);
    if (behind.length > 0)
      throw new ConflictError(
        'drill_not_latest',
        `${behind.map((s) => s.shard).join(', ')} lacks drill migrations: run latest on every shard first (the notes table must be complete).`,
      );
    if (this.renameBusy) throw new ConflictError('rename_busy', 'A rename drill is already running: wait for it to finish.');
    this.renameBusy = true;
    try {
      const users = await this.users.get(
        api,
        this.shards().map((s) => s.name),
      );
      const shards = this.shards().map((s) => ({ name: s.name, user: users.get(s.name)!, run: <T>(fn: (pool: pg.Pool) => Promise<T>) => this.onShard(s, fn) }));
      // The drill first brings `body` back, for version 1; both kinds end with version 4 deployed.
      this.deployed = 1;
      const report = await renameDrill(api, shards, mode);
      this.deployed = 4;
      this.renames.set(mode, report);
      return report;
    } finally {
      this.renameBusy = false;
    }
  }

  /** Back to no drill at all: ends drill sessions, drops `lab_drill` and the drift drill's index on every shard, forgets the runs. */
  async reset(): Promise<void> {
    await Promise.all(
      this.shards().map((s) =>
        this.onShard(s, async (pool) => {
          await pool.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [DRILL_APPLICATION]);
          await pool.query(`DROP SCHEMA IF EXISTS ${DRILL_SCHEMA} CASCADE`);
          await pool.query(`DROP INDEX IF EXISTS public.${DRIFT_INDEX}`);
        }),
      ),
    );
    this.runs.length = 0;
    this.lastCrash = null;
    this.lockQueues.clear();
    this.ddlReports.clear();
    this.running.clear();
    this.phases.clear();
    this.lastRequests = null;
    this.renames.clear();
    this.users.clear();
    this.deployed = 1;
  }
}

async function readShard(pool: pg.Pool): Promise<{ applied: { name: string; run_on: string }[]; faults: string[]; lock: DrillLock }> {
  const {
    rows: [head],
  } = await pool.query<{ tracking: boolean; lock_table: boolean; faults: boolean; advisory_pid: number | null; runner_pids: number[] }>(
    `SELECT to_regclass('${DRILL_SCHEMA}.migrations') IS NOT NULL AS tracking,
            to_regclass('${DRILL_SCHEMA}.migration_lock') IS NOT NULL AS lock_table,
            to_regclass('${DRILL_SCHEMA}.faults') IS NOT NULL AS faults,
            (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1
               AND ((classid::bigint << 32) | objid::bigint) = $1::bigint LIMIT 1) AS advisory_pid,
            coalesce((SELECT array_agg(pid ORDER BY pid) FROM pg_stat_activity WHERE application_name = $2), '{}') AS runner_pids`,
    [String(DRILL_LOCK_KEY), DRILL_APPLICATION],
  );
  const applied = head?.tracking
    ? // Both runners write run_on from now() in a UTC session (migrationClient).
      (
        await pool.query<{ name: string; run_on: string }>(
          `SELECT name, to_char(run_on, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS run_on FROM ${DRILL_SCHEMA}.migrations ORDER BY run_on, id`,
        )
      ).rows
    : [];
  const faults = head?.faults
    ? (await pool.query<{ migration: string }>(`SELECT migration FROM ${DRILL_SCHEMA}.faults ORDER BY migration`)).rows.map((r) => r.migration)
    : [];
  const rowLocked = head?.lock_table
    ? ((await pool.query<{ locked: boolean }>(`SELECT locked FROM ${DRILL_SCHEMA}.migration_lock WHERE id = 1`)).rows[0]?.locked ?? null)
    : null;
  return { applied, faults, lock: { row_locked: rowLocked, advisory_pid: head?.advisory_pid ?? null, runner_pids: head?.runner_pids ?? [] } };
}
