import { listMigrations } from './files.js';
import { migrationClient } from './runner.js';
import { MIGRATIONS_TABLE, type AppliedMigration, type MigrationTarget, type ShardMigrationStatus } from './types.js';

async function appliedOn(url: string): Promise<AppliedMigration[]> {
  const client = migrationClient(url);
  try {
    await client.connect();
    const {
      rows: [table],
    } = await client.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [`public.${MIGRATIONS_TABLE}`]);
    if (!table?.present) return []; // no tracking table yet: nothing applied
    // run_on is a `timestamp` written by NOW() in a UTC session (see migrationClient): read it as UTC.
    const { rows } = await client.query<{ name: string; run_on: Date }>(
      `SELECT name, run_on AT TIME ZONE 'UTC' AS run_on FROM public.${MIGRATIONS_TABLE} ORDER BY run_on, id`,
    );
    return rows.map((r) => ({ name: r.name, run_on: r.run_on.toISOString() }));
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * What is applied and pending on each target. A shard that cannot be read gets `error` set instead of
 * making the call fail; it rejects only if `dir` cannot be listed.
 */
export async function migrationStatus(targets: MigrationTarget[], dir: string): Promise<ShardMigrationStatus[]> {
  const files = await listMigrations(dir);
  return Promise.all(
    targets.map(async (t): Promise<ShardMigrationStatus> => {
      try {
        const applied = await appliedOn(t.url);
        const done = new Set(applied.map((a) => a.name));
        return { shard: t.name, applied, pending: files.filter((f) => !done.has(f)), error: null };
      } catch (e) {
        return { shard: t.name, applied: [], pending: [], error: `${t.name}: ${e instanceof Error ? e.message : String(e)}` };
      }
    }),
  );
}
