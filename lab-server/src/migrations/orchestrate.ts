import { listMigrationFiles } from './files.js';
import { migrateShard } from './runner.js';
import type { MigrateAction, MigrateOptions, MigrateReport, MigrationTarget } from './types.js';

const ACTIONS: readonly MigrateAction[] = ['up', 'down', 'latest'];

/**
 * Runs `action` on every target in parallel, each shard independently: a shard that fails stops at its
 * failing migration (earlier ones stay applied) and does not stop the others; a later run resumes from
 * wherever each shard is.
 *
 * Shard failures are RETURNED, not thrown: check `report.ok` and each `report.shards[i].error` (or call
 * `throwIfFailed`). It rejects only for bad input, before touching any shard: unknown action, duplicate
 * target names, unreadable `dir` or a malformed migration file name.
 */
export async function migrate(targets: MigrationTarget[], dir: string, action: MigrateAction, opts: MigrateOptions = {}): Promise<MigrateReport> {
  if (!ACTIONS.includes(action)) throw new Error(`unknown migrate action ${JSON.stringify(action)} (expected up, down or latest)`);
  const names = new Set(targets.map((t) => t.name));
  if (names.size !== targets.length) throw new Error('migration targets must have distinct names');
  await listMigrationFiles(dir);
  const shards = await Promise.all(targets.map((t) => migrateShard(t, dir, action, opts)));
  return { action, ok: shards.every((s) => s.error === null), shards };
}

/** A failed MigrateReport as an exception, for callers that prefer one; `report` keeps the per-shard results. */
export class MigrationError extends Error {
  readonly report: MigrateReport;

  constructor(report: MigrateReport) {
    const failed = report.shards.filter((s) => s.error !== null);
    super(`migrate ${report.action} failed on ${failed.length} of ${report.shards.length} shard(s): ${failed.map((s) => s.error!.message).join('; ')}`);
    this.name = 'MigrationError';
    this.report = report;
  }
}

/** Returns the report if every shard succeeded, else throws a MigrationError carrying it. */
export function throwIfFailed(report: MigrateReport): MigrateReport {
  if (!report.ok) throw new MigrationError(report);
  return report;
}
