/** One database to migrate: every shard gets the same schema. */
export interface MigrationTarget {
  /** Shown in reports and errors, e.g. `shard-0`. */
  name: string;
  url: string;
}

export interface AppliedMigration {
  name: string;
  /** When it was applied, ISO 8601 in UTC. */
  run_on: string;
}

export interface ShardMigrationStatus {
  shard: string;
  /** In the order they were applied. */
  applied: AppliedMigration[];
  /** Migration files not applied on this shard, in file order. */
  pending: string[];
  /** Set when the shard could not be read (unreachable, ...); `applied`/`pending` are then empty. */
  error: string | null;
}

/** `latest`: every pending migration; `up`: the next pending one; `down`: roll back the last applied one. */
export type MigrateAction = 'up' | 'down' | 'latest';

export interface ShardMigrationResult {
  shard: string;
  /** Migrations applied (or, for `down`, rolled back) and committed on this shard by this run, in order. */
  ran: string[];
  /**
   * Why this shard stopped, or null. `migration` is the migration that failed (rolled back, not applied) or
   * null when the shard failed before running one (unreachable, lock held, files out of order, aborted).
   * `message` is a complete sentence naming the shard.
   */
  error: { migration: string | null; message: string } | null;
}

export interface MigrateReport {
  action: MigrateAction;
  /** True when no shard has an error. */
  ok: boolean;
  /** One entry per target, in the order of the targets. */
  shards: ShardMigrationResult[];
}

export interface MigrateProgressEvent {
  shard: string;
  migration: string;
  phase: 'start' | 'done';
}

/**
 * A migration set other than the messenger's: its own schema (created if missing; the search path of its
 * migrations), tracking table in that schema and advisory lock key, so it never touches or blocks the real one.
 */
export interface MigrationSet {
  schema: string;
  table: string;
  lockValue: number;
  applicationName: string;
  settings?: Record<string, string>;
}

export interface MigrateOptions {
  /** Default: the messenger's schema (`public`, table `lab_migrations`, node-pg-migrate's lock key). */
  set?: MigrationSet;
  onProgress?: (e: MigrateProgressEvent) => void;
  /**
   * Aborting cancels the statement running on each shard (its migration is rolled back, if transactional) and
   * starts no further migration. Migrations already committed stay applied.
   */
  signal?: AbortSignal;
}

/** Tracking table on every shard (node-pg-migrate's format; in schema `public`). */
export const MIGRATIONS_TABLE = 'lab_migrations';
