import { z } from 'zod';
import { replyError } from '../../net/self-client.js';
import type { LocalityReport } from '../../ids/insert-locality.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import type { ExerciseContext } from '../context.js';
import { fmt } from './format.js';

const spec = z.strictObject({
  kind: z.literal('id-locality'),
  rows: z.number().int().min(1_000).max(200_000),
  /** How far, in percentage points, the prediction may be from the measurement. */
  within: z.number().min(0).max(100),
});
type IdLocalitySpec = z.output<typeof spec>;

/** The verdict on the learner's prediction of how many more index pages random ids need. */
export function judgeIdLocality(s: IdLocalitySpec, answer: number | undefined, r: LocalityReport): CheckResult {
  const [v4, v7] = r.runs;
  const measured = `${fmt(r.rows)} random ids took ${fmt(v4.index_pages)} index pages (${v4.rows_per_page} rows a page), as many UUIDv7 ids ${fmt(v7.index_pages)} (${v7.rows_per_page} a page): ${r.v4_extra_pages_percent} % more`;
  if (answer === undefined || !Number.isFinite(answer)) return fail(`Enter your prediction first (a percentage). Measured: ${measured}.`);
  if (Math.abs(answer - r.v4_extra_pages_percent) <= s.within) {
    return pass(
      `Right: ${measured}. Random ids split pages in the middle and leave them half full; time-ordered ids fill the right edge. UUIDv7 also went in at ${r.v7_rate_ratio}× the rate here.`,
    );
  }
  return fail(`Not ${answer} % (within ${s.within} points counts). ${measured}.`);
}

/** The last measurement of `rows` ids (the one the learner saw in the panel), or a new one. */
async function measure(ctx: ExerciseContext, rows: number): Promise<LocalityReport> {
  const kept = await ctx.api.call<{ last: LocalityReport | null }>('GET', '/lab/v1/ids/locality');
  if (kept.status === 200 && kept.body.last?.rows === rows) return kept.body.last;
  const r = await ctx.api.call<LocalityReport>('POST', '/lab/v1/ids/locality', { rows });
  if (r.status !== 200) throw replyError(r, 'Could not call POST /lab/v1/ids/locality');
  return r.body;
}

/**
 * Predict, then measure: how many more B-tree pages UUIDv4 ids need than UUIDv7 (asks a number). The check
 * judges against the last measurement of that size (random ids' page counts vary a few percent from run to
 * run), and measures when there is none.
 */
export const idLocality: CheckKind<IdLocalitySpec> = {
  kind: 'id-locality',
  spec,
  question: {
    input: (s) => ({ type: 'number', label: `Inserting ${fmt(s.rows)} ids of each kind: how many more index pages do random (v4) ids need?`, unit: '%' }),
    answer: async (s, ctx) => (await measure(ctx, s.rows)).v4_extra_pages_percent,
  },
  async run(s, ctx, answer) {
    return judgeIdLocality(s, answer === undefined ? undefined : Number(answer), await measure(ctx, s.rows));
  },
};
