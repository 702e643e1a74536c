import { z } from 'zod';
import { post } from './api.js';
import { positionals, wholeNumber } from './args.js';
import { CommandError, defineCommand } from './command.js';
import { followJob } from './follow-job.js';
import { formatTable, num } from './format.js';
import { JobStarted, SeedResult } from './replies.js';

export default defineCommand({
  name: 'seed',
  interruptible: true,
  usage: 'seed [USERS] [--users N] [--conversations N --messages N]',
  summary: 'load generated users (and conversations with messages) through the lab, with progress; Ctrl-C cancels and keeps nothing',
  flags: { users: 'string', conversations: 'string', messages: 'string' },
  args: z
    .object({
      _: positionals([wholeNumber('USERS').optional()]),
      users: wholeNumber('--users').optional(),
      conversations: wholeNumber('--conversations').default(0),
      messages: wholeNumber('--messages').default(0),
    })
    .transform((a) => ({ users: a._[0] ?? a.users ?? 10_000, conversations: a.conversations, messages: a.messages })),
  async run(plan, ctx) {
    const { job_id } = await post(ctx.lab, '/lab/v1/seed', JobStarted, plan);
    const what = Object.entries(plan)
      .filter(([, n]) => n > 0)
      .map(([name, n]) => `${num(n)} ${name}`)
      .join(', ');
    const job = await followJob(ctx, job_id, `Seeding ${what}`);
    const parsed = SeedResult.safeParse(job.result);
    if (!parsed.success) throw new CommandError(`Job ${job_id} succeeded, but its result is not a seed report; is the lab the same version?`);
    const r = parsed.data;
    const table = formatTable(
      ['shard', 'users', 'conversations', 'messages'],
      r.per_shard.map((s) => [s.shard_name, s.users, s.conversations, s.messages]),
    );
    return { data: r, text: `${table}\n\n${what} in ${r.seconds} s (${num(r.rows_per_s)} rows/s)` };
  },
});
