import { z } from 'zod';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import type { Answer } from '../context.js';
import { knobValues } from './tuning-runs.js';

const spec = z.strictObject({
  kind: z.literal('pool-formula'),
  /** Share of max_connections kept free for everything that is not the API (the original: 100 of 500). */
  reserve: z.number().min(0).max(0.9),
  /** The original then halved the result "for margin". */
  margin: z.number().min(0.1).max(1),
});
type PoolFormulaSpec = z.output<typeof spec>;

/** The original's formula on this lab: (max_connections − reserve) ÷ processes with a pool per shard, times the margin. */
export function poolBudget(s: PoolFormulaSpec, maxConnections: number, processes: number): number {
  return Math.floor(((maxConnections - Math.ceil(maxConnections * s.reserve)) / processes) * s.margin);
}

function inputs(knobs: Record<string, string>): { max: number; processes: number } | null {
  const max = Number.parseInt(knobs.max_connections ?? '', 10);
  const workers = Number.parseInt(knobs.workers ?? '0', 10);
  // A value that differs between shards reads "shard-0: 100, …": the formula needs one number.
  if (!Number.isFinite(max) || /:/.test(knobs.max_connections ?? '')) return null;
  return { max, processes: 1 + workers };
}

export function judgePoolFormula(s: PoolFormulaSpec, answer: Answer | undefined, knobs: Record<string, string>): CheckResult {
  const i = inputs(knobs);
  if (!i) return fail('The shards do not agree on max_connections; reset the chapter so every shard has the same.');
  if (typeof answer !== 'number') return fail('Enter the pool size the formula gives first.');
  const right = poolBudget(s, i.max, i.processes);
  if (answer !== right) {
    return fail(
      `Not quite. Start from max_connections (${i.max} here), keep ${s.reserve * 100} % in reserve, share the rest between ${i.processes} process${i.processes === 1 ? '' : 'es'} (each has its own pool per shard), then keep ${s.margin * 100} % of that.`,
    );
  }
  return pass(
    `Right: (${i.max} − ${Math.ceil(i.max * s.reserve)}) ÷ ${i.processes} × ${s.margin} = ${right} connections per process per shard. The original got 100 from 500 with two pools (writes and reads) in one process — and then ran 8 prefork processes with 100 each.`,
  );
}

/** The learner applied the original's pool-sizing formula to this lab's numbers (asks a number). */
export const poolFormula: CheckKind<PoolFormulaSpec> = {
  kind: 'pool-formula',
  spec,
  question: {
    input: () => ({ type: 'number', label: 'Pool size per process and shard' }),
    answer: async (s, ctx) => {
      const i = inputs(await knobValues(ctx));
      return i ? poolBudget(s, i.max, i.processes) : null;
    },
  },
  async run(s, ctx, answer) {
    return judgePoolFormula(s, answer, await knobValues(ctx));
  },
};
