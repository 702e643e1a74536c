import { z } from 'zod';
import { makeMigration, migrate, migrationStatus } from '../migrations/index.js';
import { loadConfig } from '../config.js';
import { get, post } from './api.js';
import { noArgs } from './args.js';
import { CommandError, defineCommand, type CommandContext } from './command.js';
import { formatTable } from './format.js';
import { withCluster } from './local/with-cluster.js';
import { MigrationReport, MigrationStatus } from './replies.js';

type Status = z.output<typeof MigrationStatus>['shards'];
type Report = z.output<typeof MigrationReport>;
type Action = 'up' | 'down' | 'latest';

/**
 * Where migrations run. The CLI talks to the shards directly, like the original's migration tool, so it also
 * works with no lab running (`make up`, or shards it starts just for the command); the terminal lives inside
 * the lab and uses its API, which also tells the page the schema changed.
 */
interface Migrations {
  status(): Promise<Status>;
  run(action: Action, onApplied: (line: string) => void): Promise<Report>;
}

const direct: Migrations = {
  status: () =>
    withCluster((cluster, config) =>
      migrationStatus(
        cluster.shards.map((s) => ({ name: s.name, url: s.url })),
        config.migrationsDir,
      ),
    ),
  run: (action, onApplied) =>
    withCluster((cluster, config) =>
      migrate(
        cluster.shards.map((s) => ({ name: s.name, url: s.url })),
        config.migrationsDir,
        action,
        {
          onProgress: (e) => {
            if (e.phase === 'done') onApplied(`  ${e.shard}: ${action === 'down' ? 'rolled back' : 'applied'} ${e.migration}`);
          },
        },
      ),
    ),
};

const viaApi = (ctx: CommandContext): Migrations => ({
  status: async () => (await get(ctx.lab, '/lab/v1/migrations', MigrationStatus)).shards,
  async run(action, onApplied) {
    const report = await post(ctx.lab, `/lab/v1/migrations/${action}`, MigrationReport);
    for (const s of report.shards) for (const m of s.ran) onApplied(`  ${s.shard}: ${action === 'down' ? 'rolled back' : 'applied'} ${m}`);
    return report;
  },
});

const source = (ctx: CommandContext) => (ctx.frontEnd === 'cli' ? direct : viaApi(ctx));

function statusText(status: Status): string {
  const table = formatTable(
    ['shard', 'applied', 'pending', 'last applied', 'error'],
    status.map((s) => [s.shard, s.applied.length, s.pending.length, s.applied.at(-1)?.name ?? '-', s.error ?? '']),
  );
  const pending = [...new Set(status.flatMap((s) => s.pending))];
  return pending.length ? `${table}\n\nPending: ${pending.join(', ')}` : table;
}

export const status = defineCommand({
  name: 'migrate status',
  usage: 'migrate status',
  summary: 'applied and pending migrations per shard',
  args: noArgs,
  async run(_args, ctx) {
    const s = await source(ctx).status();
    return { data: s, text: statusText(s) };
  },
});

const apply = (action: Action, summary: string) =>
  defineCommand({
    name: `migrate ${action}`,
    usage: `migrate ${action}`,
    summary,
    args: noArgs,
    async run(_args, ctx) {
      const report = await source(ctx).run(action, (line) => ctx.out.line(line));
      const failed = report.shards.filter((s) => s.error);
      if (failed.length > 0) {
        throw new CommandError(
          `Migration ${action} failed on ${failed.length} of ${report.shards.length} shards:\n${failed.map((s) => `  ${s.error?.message}`).join('\n')}\n` +
            'Fix the cause and run it again: shards that succeeded are not re-run.',
        );
      }
      const ran = report.shards.reduce((n, s) => n + s.ran.length, 0);
      return { data: report, text: ran > 0 ? '' : action === 'down' ? 'Nothing to roll back.' : 'Every shard is up to date.' };
    },
  });

export const up = apply('up', 'apply the next pending migration on every shard (as the original: one)');
export const latest = apply('latest', 'apply every pending migration on every shard');
export const down = apply('down', 'roll back the last applied migration on every shard');

export const make = defineCommand({
  name: 'migrate make',
  usage: 'migrate make NAME',
  summary: 'create migrations/<timestamp>_<name>.sql from a template',
  frontEnds: ['cli'],
  args: z.object({ _: z.array(z.string()).min(1, 'NAME is required, e.g. add_bio_to_users') }).transform((a) => ({ name: a._.join(' ') })),
  async run({ name }) {
    const file = await makeMigration(loadConfig().migrationsDir, name);
    return { data: { file }, text: `Created ${file}` };
  },
});
