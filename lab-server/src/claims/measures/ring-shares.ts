import { z } from 'zod';
import { pct } from '../../exercises/checks/format.js';
import { ringView } from '../../sharding/ring-view.js';
import { defaultShardNames } from '../../sharding/strategies.js';
import type { Measurement, MeasureKind } from '../measure-kind.js';
import { measureSchema } from './spec.js';

/** `tolerance` is relative to the fair share, as `distribution` reads it. */
const spec = measureSchema('ring-shares', { shards: z.number().int().min(1).max(32), tolerance: z.number().gt(0).max(1).default(0.05) });
type Spec = z.output<typeof spec>;

export function judgeRingShares(s: Spec, shares: readonly number[]): Measurement {
  const percents = shares.map((x) => x * 100);
  const even = 100 / percents.length;
  const worst = Math.max(...percents.map((x) => Math.abs(x / even - 1)));
  const points = Math.max(...percents.map((x) => Math.abs(x - even)));
  const measured = `The ring over ${s.shards} shards gives them ${percents.map((x) => pct(x)).join(' / ')} of the hash space; an even share is ${pct(even)}.`;
  const why = `±${pct(s.tolerance * 100, 0)} of an even share is ${pct(even * (1 - s.tolerance))} to ${pct(even * (1 + s.tolerance))}; the worst shard is ${pct(worst * 100, 1)} off it (${points.toFixed(2)} points).`;
  return { measured, verdict: worst <= s.tolerance ? 'holds' : 'fails', why };
}

/** The shares the lab's ring (its strategy and virtual nodes) gives N shards: what any number of users converges to. */
export const ringShares: MeasureKind<Spec> = {
  kind: 'ring-shares',
  spec,
  measure: async (s, { lab }) => {
    const { strategy } = lab.ring.router;
    const view = ringView({ strategy: strategy.name, shards: defaultShardNames(s.shards), vnodes: strategy.vnodes ?? lab.config.vnodes });
    return judgeRingShares(s, view.shares);
  },
};
