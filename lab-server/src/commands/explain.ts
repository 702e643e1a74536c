import { z } from 'zod';
import { defineCommand } from './command.js';
import { runStatement } from './sql.js';

export default defineCommand({
  name: 'explain',
  usage: 'explain [analyze] SHARD STATEMENT',
  summary: "the shard's query plan (analyze runs it, inside a rolled-back transaction)",
  parseFlags: false,
  args: z.object({ _: z.array(z.string()), tail: z.string() }).transform(({ _: words, tail }, zctx) => {
    const analyze = words[0] === 'analyze';
    const shard = words[analyze ? 1 : 0];
    const statement = tail
      .replace(/^analyze\s+/, '')
      .slice(shard?.length ?? 0)
      .trim()
      .replace(/;\s*$/, '');
    if (!shard || !statement) {
      zctx.addIssue({ code: 'custom', message: 'SHARD and STATEMENT are required' });
      return z.NEVER;
    }
    return { mode: analyze ? ('analyze' as const) : ('plan' as const), shard, statement };
  }),
  complete: async (index, before, source) =>
    index === 0 ? ['analyze', ...(await source.shards())] : index === 1 && before[0] === 'analyze' ? source.shards() : [],
  async run({ mode, shard, statement }, ctx) {
    const run = await runStatement(ctx, shard, statement, mode);
    return { data: run, text: run.results.map((r) => r.rows.map((row) => row[0]).join('\n')).join('\n') };
  },
});
