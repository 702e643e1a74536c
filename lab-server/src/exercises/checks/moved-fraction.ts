import { z } from 'zod';
import { movedFraction as fractionMoved } from '../../sharding/movement.js';
import { createStrategy, defaultShardNames, STRATEGY_NAMES } from '../../sharding/strategies.js';
import type { Answer } from '../context.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import { pct } from './format.js';
import { percent } from './params.js';

const shardCount = z.number().int().min(1).max(32);
const spec = z.strictObject({
  kind: z.literal('moved-fraction'),
  strategy: z.enum(STRATEGY_NAMES),
  from: shardCount,
  to: shardCount,
  tolerance_points: percent.default(1),
});
type MovedFractionSpec = z.output<typeof spec>;

/** The percentage of the key space that changes shard going from `from` to `to` shards: computed, no cluster needed. */
export function movedPercent(s: MovedFractionSpec): number {
  const before = defaultShardNames(s.from);
  const after = defaultShardNames(s.to);
  return 100 * fractionMoved(createStrategy(s.strategy, before), createStrategy(s.strategy, after), before, after);
}

function judge(s: MovedFractionSpec, answer: Answer | undefined): CheckResult {
  if (typeof answer !== 'number') return fail('Enter a percentage first.');
  const truth = movedPercent(s);
  if (Math.abs(answer - truth) <= s.tolerance_points) {
    const ideal = (100 * Math.abs(s.to - s.from)) / Math.max(s.to, s.from);
    return pass(
      `Right: going from ${s.from} to ${s.to} shards with ${s.strategy} moves ${pct(truth)} of the key space (an ideal scheme would move ${pct(ideal)}).`,
    );
  }
  return fail(
    `${pct(answer)} is off by more than ${s.tolerance_points} points. In the ring widget set ${s.from} shards and read what moves when going to ${s.to} (${s.strategy === 'modulo' ? 'the modulo line' : 'the ring line'}).`,
  );
}

/** The learner's percentage is the share of keys that move from `from` to `to` shards (asks a number). */
export const movedFraction: CheckKind<MovedFractionSpec> = {
  kind: 'moved-fraction',
  spec,
  question: {
    input: (s) => ({ type: 'number', label: `Share of keys that move, ${s.from} → ${s.to} shards (${s.strategy})`, unit: '%' }),
    answer: async (s) => Number(movedPercent(s).toFixed(2)),
  },
  async run(s, _ctx, answer) {
    return judge(s, answer);
  },
};
