import { z } from 'zod';
import { MAX_SHAPE_ROUNDS, MIN_SHAPE_ROUNDS, SHAPE_PAIRS, type QueryShapesTrial, type ShapePair, type ShapeResult } from '../../contracts/query-shapes.js';
import { failUnlessOk } from '../../exercises/actions/lab-api.js';
import { fmt } from '../../exercises/checks/format.js';
import type { Measurement, MeasureKind } from '../measure-kind.js';
import { measureSchema } from './spec.js';

const spec = measureSchema('query-shape', {
  pair: z.enum(SHAPE_PAIRS),
  /** The original's gain for the tuned shape, in percent: it holds when the measured change falls inside. */
  claimed_pct: z.strictObject({ min: z.number(), max: z.number() }),
  rounds: z.number().int().min(MIN_SHAPE_ROUNDS).max(MAX_SHAPE_ROUNDS).default(300),
});
type Spec = z.output<typeof spec>;

const us = (x: number) => `${fmt(Math.round(x))} µs`;
const signed = (x: number) => `${x > 0 ? '+' : ''}${x.toFixed(1)} %`;

/** What sets the difference on this machine, with the trial's own numbers. */
const explain: Record<ShapePair, (r: ShapeResult) => string> = {
  transaction: (r) =>
    `Both sides commit once, so both pay the commit's WAL flush; the default only adds two round trips (BEGIN and COMMIT as their own statements), about ${us(Math.max(0, (r.gorm_default.p50_us - r.tuned.p50_us) / 2))} each here over loopback. The gain is the share of those round trips in the whole write: large when the flush is cheap (synchronous_commit off, a fast disk), small when it dominates, and larger across a real network.`,
  columns: (r) =>
    `Both read the same page of 50 rows through the same index; what differs is what leaves the server and what the client decodes. SELECT * adds ring_hash, email, created_at and updated_at to every row (${us(r.gorm_default.p50_us)} against ${us(r.tuned.p50_us)}), and the driver turns each timestamp into a date object. The saving grows with what the other columns weigh (wide text or jsonb) and with an index-only scan the named columns allow.`,
  take: (r) =>
    `For a lookup by primary key both statements get the same plan, an index scan that returns the one row already in key order: ORDER BY id LIMIT 1 costs no sort (${us(r.gorm_default.p50_us)} against ${us(r.tuned.p50_us)}). First costs more only when the rows come from elsewhere, e.g. a filter on an unindexed column, where it must sort what Take could stop at.`,
  updates: (r) =>
    `Both update one row: find it by key, write a new row version, commit (a WAL flush). Save's extra columns add a few dozen bytes to send, parse and log, small beside that fixed cost (${us(r.gorm_default.p50_us)} against ${us(r.tuned.p50_us)}). Updates matters more for not overwriting a concurrent change to another column than for speed.`,
};

/** The claim holds when the tuned shape's measured gain lies inside the claimed range. */
export function judgeQueryShape(s: Spec, trial: QueryShapesTrial): Measurement {
  const r = trial.pairs.find((p) => p.pair === s.pair);
  if (!r) return { measured: `The trial did not measure ${s.pair}.`, verdict: 'unsettled', why: 'Run it again.' };
  const measured =
    `${trial.shard}, ${fmt(trial.rounds)} rounds per side: ${r.gorm_default.shape} p50 ${us(r.gorm_default.p50_us)} (${fmt(r.gorm_default.ops_per_s)}/s), ` +
    `${r.tuned.shape} p50 ${us(r.tuned.p50_us)} (${fmt(r.tuned.ops_per_s)}/s): the tuned shape is ${signed(r.change_pct)} faster.`;
  const range = `${s.claimed_pct.min}–${s.claimed_pct.max} %`;
  const inside = r.change_pct >= s.claimed_pct.min && r.change_pct <= s.claimed_pct.max;
  const where = inside ? 'inside' : r.change_pct < s.claimed_pct.min ? 'below' : 'above';
  return {
    measured,
    verdict: inside ? 'holds' : 'fails',
    why: `${signed(r.change_pct)} is ${where} the claimed ${range}. ${explain[s.pair](r)}`,
  };
}

/** One pair of statement shapes on the first shard, through POST /lab/v1/tuning/query-shapes. */
export const queryShape: MeasureKind<Spec> = {
  kind: 'query-shape',
  spec,
  runs: (s) =>
    `Runs the ${s.pair} pair of statements ${fmt(s.rounds)} times per side on the first shard's users table, alternating the sides; the users it writes are marked and deleted before it answers.`,
  measure: async (s, ctx) => {
    const r = await ctx.api.call<QueryShapesTrial>('POST', '/lab/v1/tuning/query-shapes', { rounds: s.rounds, pairs: [s.pair] });
    failUnlessOk(r, 'POST /lab/v1/tuning/query-shapes');
    return judgeQueryShape(s, r.body);
  },
};
