import { z } from 'zod';
import { get } from './api.js';
import { noArgs, wholeNumber } from './args.js';
import { callCommand } from './call-command.js';
import { defineCommand, type CommandContext } from './command.js';
import { formatTable, ms, num } from './format.js';

const Statements = z.object({
  by: z.string(),
  shards: z.array(
    z.object({
      shard: z.string(),
      since: z.string(),
      total_ms: z.number(),
      statements: z.array(
        z.object({ query: z.string(), calls: z.number(), total_ms: z.number(), mean_ms: z.number(), rows: z.number(), share_pct: z.number() }),
      ),
    }),
  ),
  unanswered: z.array(z.string()).optional(),
});
type StatementsReply = z.output<typeof Statements>;

const ORDERS = ['total', 'calls', 'mean'] as const;

/** One table per shard; the query text is cut to one line, the share says how much of the shard's time it took. */
function render(r: StatementsReply, ctx: CommandContext): string {
  const silent = (r.unanswered ?? []).map((name) => `${ctx.style.bold(name)}  ${ctx.style.dim('did not answer (stopped or down): nothing to show')}`);
  return [
    ...r.shards.map((s) => {
      const head = `${ctx.style.bold(s.shard)}  ${ctx.style.dim(`${ms(s.total_ms)} in statements since ${s.since}`)}`;
      if (s.statements.length === 0) return `${head}\n${ctx.style.dim('  no statements recorded since the reset')}`;
      const rows = s.statements.map((x) => [
        `${num(x.share_pct, 1)} %`,
        ms(x.total_ms),
        num(x.calls),
        ms(x.mean_ms),
        num(x.rows),
        x.query.replace(/\s+/g, ' ').slice(0, 70),
      ]);
      return `${head}\n${formatTable(['share', 'total', 'calls', 'mean', 'rows', 'query'], rows)}`;
    }),
    ...silent,
  ].join('\n\n');
}

export const top = defineCommand({
  name: 'tune top',
  usage: 'tune top [--by total|calls|mean] [--limit N] [--shard NAME]',
  summary: 'the top statements per shard from pg_stat_statements: where each server spends its time',
  flags: { by: 'string', limit: 'string', shard: 'string' },
  args: noArgs.extend({
    by: z.enum(ORDERS, { error: '--by must be total, calls or mean' }).optional(),
    limit: wholeNumber('--limit', 1).optional(),
    shard: z.string().optional(),
  }),
  async run({ by, limit, shard }, ctx) {
    const q = new URLSearchParams({ by: by ?? 'total', limit: String(limit ?? 5), ...(shard ? { shard } : {}) });
    const r = await get(ctx.lab, `/lab/v1/tuning/statements?${q}`, Statements);
    return { data: r, text: render(r, ctx) };
  },
});

export const topReset = callCommand({
  name: 'tune top reset',
  summary: 'forget the statement statistics on every shard (pg_stat_statements_reset), to measure only what runs next',
  method: 'POST',
  path: '/lab/v1/tuning/statements/reset',
  reply: Statements,
  show: (r) => ({ data: r, text: `Statement statistics reset on ${r.shards.map((s) => s.shard).join(', ')}.` }),
});
