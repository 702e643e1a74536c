import { z } from 'zod';
import { pct } from '../../exercises/checks/format.js';
import { ringView, type RingChange } from '../../sharding/ring-view.js';
import { defaultShardNames } from '../../sharding/strategies.js';
import type { Measurement, MeasureKind } from '../measure-kind.js';
import { measureSchema } from './spec.js';

const shards = z.number().int().min(1).max(32);
const spec = measureSchema('ring-movement', {
  from: shards,
  to: shards,
  claimed_percent: z.number().min(0).max(100),
  tolerance_points: z.number().min(0).max(100).default(2),
});
type Spec = z.output<typeof spec>;

export function judgeRingMovement(s: Spec, c: RingChange): Measurement {
  const moved = c.ring_moved_fraction * 100;
  const measured = `${s.from} → ${s.to} shards: the ring moves ${pct(moved)} of the keys (modulo would move ${pct(c.modulo_moved_fraction * 100)}; the least possible is ${pct(c.ideal_fraction * 100)}).`;
  const why = `Claimed about ${pct(s.claimed_percent, 0)}; measured ${pct(moved)}, ${Math.abs(moved - s.claimed_percent).toFixed(2)} points away (allowed ${s.tolerance_points}).`;
  return { measured, verdict: Math.abs(moved - s.claimed_percent) <= s.tolerance_points ? 'holds' : 'fails', why };
}

/** What the lab's ring (its strategy and virtual nodes) moves when the shard count changes, computed by the lab's own sharding module. */
export const ringMovement: MeasureKind<Spec> = {
  kind: 'ring-movement',
  spec,
  measure: async (s, { lab }) => {
    const { strategy } = lab.ring.router;
    const view = ringView({ strategy: strategy.name, shards: defaultShardNames(s.from), vnodes: strategy.vnodes ?? lab.config.vnodes, compareTo: s.to });
    return judgeRingMovement(s, view.change!);
  },
};
