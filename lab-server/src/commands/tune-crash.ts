import { z } from 'zod';
import { post } from './api.js';
import { noArgs, positionals, wholeNumber } from './args.js';
import { callCommand } from './call-command.js';
import { defineCommand, type CommandContext } from './command.js';
import { formatTable, ms, num } from './format.js';

const CrashRun = z.object({
  shard: z.string(),
  synchronous_commit: z.string(),
  writers: z.number(),
  write_ms: z.number(),
  acknowledged: z.number(),
  lost: z.number(),
  lost_ids: z.array(z.number()),
  unacknowledged_present: z.number(),
  commits_per_s: z.number(),
  recovery_ms: z.number(),
  wal_writer_delay: z.string(),
});
type CrashRunReply = z.output<typeof CrashRun>;

function describeRun(r: CrashRunReply, ctx: CommandContext): string {
  const lost = r.lost > 0 ? ctx.style.red(`${num(r.lost)} lost`) : ctx.style.green('0 lost');
  const ids = r.lost_ids.length > 0 ? `\n  lost rows (first ${r.lost_ids.length}): ${r.lost_ids.join(', ')}` : '';
  return (
    `${r.shard}, synchronous_commit ${r.synchronous_commit}: ${r.writers} writers acknowledged ${num(r.acknowledged)} commits in ${ms(r.write_ms)} ` +
    `(${num(r.commits_per_s)}/s), then SIGKILL; back after ${ms(r.recovery_ms)} of recovery: ${lost}` +
    `${r.unacknowledged_present > 0 ? `, ${num(r.unacknowledged_present)} committed without an acknowledgement` : ''}.${ids}\n` +
    ctx.style.dim(`wal_writer_delay ${r.wal_writer_delay}: with synchronous_commit off the WAL of the last ~3 × that may still be in memory at a crash.`)
  );
}

export const crash = defineCommand({
  name: 'tune crash',
  usage: 'tune crash on|off [--shard NAME] [--writers N] [--ms MS]',
  summary:
    'writers commit rows with synchronous_commit on or off, the lab kills the shard’s postmaster (SIGKILL) mid-write, restarts it and counts the acknowledged rows lost',
  flags: { shard: 'string', writers: 'string', ms: 'string' },
  args: noArgs.extend({
    _: positionals([z.enum(['on', 'off'], { error: 'MODE must be on or off' })]),
    shard: z.string().optional(),
    writers: wholeNumber('--writers', 1).optional(),
    ms: wholeNumber('--ms', 100).optional(),
  }),
  complete: (index) => (index === 0 ? ['on', 'off'] : []),
  async run({ _: [mode], shard, writers, ms: writeMs }, ctx) {
    const body = {
      shard: shard ?? 'shard-0',
      synchronous_commit: mode,
      ...(writers === undefined ? {} : { writers }),
      ...(writeMs === undefined ? {} : { write_ms: writeMs }),
    };
    const r = await post(ctx.lab, '/lab/v1/tuning/durability', CrashRun, body);
    return { data: r, text: describeRun(r, ctx) };
  },
});

export const crashes = callCommand({
  name: 'tune crashes',
  summary: 'every crash run so far: acknowledged writes, lost writes, commits per second, with synchronous_commit on or off',
  path: '/lab/v1/tuning/durability',
  reply: z.object({ runs: z.array(CrashRun) }),
  show(r) {
    const rows = r.runs.map((x) => [x.shard, x.synchronous_commit, num(x.acknowledged), num(x.lost), num(x.commits_per_s), ms(x.recovery_ms)]);
    const text =
      rows.length === 0 ? 'No crash runs yet: tune crash off' : formatTable(['shard', 'sync commit', 'acknowledged', 'lost', 'commits/s', 'recovery'], rows);
    return { data: r, text };
  },
});
