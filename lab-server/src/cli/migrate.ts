import { loadConfig } from '../config.js';
import { makeMigration, migrate, migrationStatus, type MigrateReport } from '../migrations/index.js';
import { CliError, formatTable } from './output.js';
import { withCluster } from './with-cluster.js';

const USAGE = 'usage: lab migrate status | up | down | latest | make NAME';

/** `lab migrate …`: talks to the shards directly (like the original's migration tool), not through the API. */
export async function migrateCommand(args: string[]): Promise<void> {
  const [action, ...rest] = args;
  if (action === 'make') {
    const name = rest.join(' ');
    if (!name.trim()) throw new CliError(`${USAGE}\n(make needs a NAME, e.g. 'lab migrate make add_bio_to_users')`);
    console.log(`Created ${await makeMigration(loadConfig().migrationsDir, name)}`);
    return;
  }
  if (action !== 'status' && action !== 'up' && action !== 'down' && action !== 'latest') throw new CliError(USAGE);
  await withCluster(async (cluster, config) => {
    const targets = cluster.shards.map((s) => ({ name: s.name, url: s.url }));
    if (action === 'status') {
      const status = await migrationStatus(targets, config.migrationsDir);
      console.log(
        formatTable(
          ['shard', 'applied', 'pending', 'last applied', 'error'],
          status.map((s) => [s.shard, s.applied.length, s.pending.length, s.applied.at(-1)?.name ?? '-', s.error ?? '']),
        ),
      );
      const pending = [...new Set(status.flatMap((s) => s.pending))];
      if (pending.length) console.log(`\nPending: ${pending.join(', ')}`);
      return;
    }
    const report = await migrate(targets, config.migrationsDir, action, {
      onProgress: (e) => {
        if (e.phase === 'done') console.log(`  ${e.shard}: ${action === 'down' ? 'rolled back' : 'applied'} ${e.migration}`);
      },
    });
    printReport(report);
  });
}

function printReport(report: MigrateReport): void {
  const ran = report.shards.reduce((n, s) => n + s.ran.length, 0);
  if (ran === 0 && report.ok) console.log(report.action === 'down' ? 'Nothing to roll back.' : 'Every shard is up to date.');
  if (report.ok) return;
  const failed = report.shards.filter((s) => s.error);
  const lines = failed.map((s) => `  ${s.error?.message}`);
  throw new CliError(
    `Migration ${report.action} failed on ${failed.length} of ${report.shards.length} shards:\n${lines.join('\n')}\n` +
      `Fix the cause and run it again: shards that succeeded are not re-run.`,
  );
}
