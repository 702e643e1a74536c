import { z } from 'zod';
import type { PagingReport } from '../../contracts/paging.js';
import { errorMessage, replyError } from '../../net/self-client.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import type { ExerciseContext } from '../context.js';
import { fmt } from './format.js';

const spec = z.strictObject({
  kind: z.literal('offset-rows'),
  page: z.number().int().min(2).max(5_000),
  limit: z.number().int().min(1).max(100),
});
type OffsetRowsSpec = z.output<typeof spec>;

/** The last paging measurement of this page and size (the one the learner saw), or a new one; a string says why there is none. */
async function measure(s: OffsetRowsSpec, ctx: ExerciseContext): Promise<PagingReport | string> {
  const kept = await ctx.api.call<{ last: PagingReport | null }>('GET', '/lab/v1/users/paging');
  const last = kept.status === 200 ? kept.body.last : null;
  if (last && last.limit === s.limit && last.pages[1]?.page === s.page) return last;
  const r = await ctx.api.call<PagingReport>('POST', '/lab/v1/users/paging', { page: s.page, limit: s.limit });
  if (r.status === 409) return errorMessage(r);
  if (r.status !== 200) throw replyError(r, 'Could not call POST /lab/v1/users/paging');
  return r.body;
}

/** The verdict on a prediction of the rows the shards send for an OFFSET page. */
export function judgeOffsetRows(s: OffsetRowsSpec, answer: number | undefined, r: PagingReport | string): CheckResult {
  if (typeof r === 'string') return fail(`${r} (Seed button, or \`seed ${fmt(s.page * s.limit * 5)}\`.)`);
  const deep = r.pages[1]!;
  const each = deep.offset.shards.map((x) => fmt(x.rows_sent)).join(' + ');
  const measured = `At page ${fmt(s.page)} of ${s.limit}, OFFSET had the shards send ${each} = ${fmt(deep.offset.rows_sent)} rows (and read ${fmt(deep.offset.rows_read)}) to return ${s.limit}; the keyset page took ${fmt(deep.keyset.rows_sent)} (${r.deep_read_ratio}× fewer rows read)`;
  if (answer === undefined || !Number.isFinite(answer)) return fail('Enter your prediction first (a number of rows); the check then measures.');
  if (answer === deep.offset.rows_sent) return pass(`Right. ${measured}.`);
  return fail(
    `You predicted ${fmt(answer)}. ${measured}. No shard knows where the page starts in the merged order, so each sends its newest offset + limit rows.`,
  );
}

/** Predict, then measure: the rows a deep OFFSET page makes the shards send (the original's paging). */
export const offsetRows: CheckKind<OffsetRowsSpec> = {
  kind: 'offset-rows',
  spec,
  question: {
    input: (s) => ({ type: 'number', label: `With OFFSET, how many rows will the shards send in all for page ${fmt(s.page)} of ${s.limit}?`, unit: 'rows' }),
    answer: async (s, ctx) => {
      const r = await measure(s, ctx);
      return typeof r === 'string' ? null : r.pages[1]!.offset.rows_sent;
    },
  },
  async run(s, ctx, answer) {
    return judgeOffsetRows(s, answer === undefined ? undefined : Number(answer), await measure(s, ctx));
  },
};
