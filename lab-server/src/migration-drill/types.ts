import type { MigrateAction } from '../migrations/index.js';
import type { DdlChange, DdlReport } from './ddl-blocking.js';
import type { LockQueueReport } from './lock-queue.js';
import type { AppRequestsReport } from './app-requests.js';
import type { RenameMode, RenameReport } from './rename.js';

/**
 * Where a shard's runner is in its flow: connect (and create the tracking table), lock (and list what is
 * pending), apply a migration, record it, then released — or failed.
 */
export interface RunPhase {
  step: 'connect' | 'lock' | 'apply' | 'record' | 'released' | 'failed';
  migration: string | null;
}

/** Which runner: the lab's (node-pg-migrate, advisory lock) or the original's (boolean lock row). */
export type DrillMode = 'advisory' | 'faithful';
export type CellState = 'applied' | 'pending' | 'failed' | 'running';

export interface DrillLock {
  /** The original's lock row (`lab_drill.migration_lock.locked`), or null before the first drill run. */
  row_locked: boolean | null;
  /** The backend holding the lab's advisory lock for the drill, or null when nobody does. */
  advisory_pid: number | null;
  /** Drill runner sessions alive on the shard. */
  runner_pids: number[];
}

export interface DrillShardStatus {
  shard: string;
  /** Null when the shard answered; else why it could not be read. */
  error: string | null;
  cells: { migration: string; state: CellState; run_on: string | null; error: string | null }[];
  applied: number;
  faults: string[];
  lock: DrillLock;
  /** The newest run's step on this shard (null before any run). */
  phase: RunPhase | null;
}

export interface DrillShardReport {
  shard: string;
  /** Committed by this run, in order, with how long each took (ms, measured by the lab around the migration). */
  ran: { migration: string; ms: number }[];
  /** Why the shard stopped: the migration (null: before any) and PostgreSQL's message; `ms` until it failed. */
  failed: { migration: string | null; message: string; ms: number } | null;
  /** The original's `latest` with its lock row set: nothing done, nothing said. */
  skipped: string | null;
  ms: number;
}

export interface DrillRunReport {
  action: MigrateAction;
  mode: DrillMode;
  /** True when no shard failed. */
  ok: boolean;
  /** A crash drill's run (killed on purpose). */
  crash: boolean;
  started_at: string;
  ms: number;
  shards: DrillShardReport[];
}

export interface CrashReport {
  mode: DrillMode;
  /** Lock state on each shard while the runner was inside its migration, just before the kill. */
  during: { shard: string; lock: DrillLock }[];
  /** Backends terminated, per shard, and the migration each was running. */
  killed: { shard: string; pid: number; migration: string | null }[];
  /** Lock state once the killed sessions had ended. */
  after: { shard: string; lock: DrillLock }[];
  run: DrillRunReport;
  /** One sentence: what the kill left behind. */
  verdict: string;
}

export interface DrillStatus {
  migrations: string[];
  shards: DrillShardStatus[];
  /** The most recent runs, newest first (at most 10). */
  runs: DrillRunReport[];
  last_crash: CrashReport | null;
  /** The newest lock-queue drill of each kind since the drill was reset. */
  lock_queues: { plain: LockQueueReport | null; lock_timeout: LockQueueReport | null };
  /** The newest schema-change drill of each change since the drill was reset. */
  ddl: Record<DdlChange, DdlReport | null>;
  /** The newest batch of the notes API's requests sent by the drill. */
  requests: AppRequestsReport | null;
  /** The newest rename drill of each kind. */
  renames: Record<RenameMode, RenameReport | null>;
}

export interface ProbeReport {
  /** The write a new app version makes: it needs 0002's `priority` and 0004's `tags`. Rolled back: changes nothing. */
  sql: string;
  shards: { shard: string; ok: boolean; error: string | null; ms: number }[];
}
