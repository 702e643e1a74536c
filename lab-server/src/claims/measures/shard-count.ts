import { z } from 'zod';
import type { Topology } from '../../lab/topology.js';
import type { Measurement, MeasureKind } from '../measure-kind.js';
import { measureSchema } from './spec.js';

const spec = measureSchema('shard-count', { claimed: z.number().int().min(1) });
type Spec = z.output<typeof spec>;

export function judgeShardCount(s: Spec, t: Pick<Topology, 'ring' | 'shards'>): Measurement {
  const ring = t.ring.shards.length;
  const up = t.shards.filter((x) => x.status === 'up').length;
  const measured = `${ring} shards in the ring (version ${t.ring.version}), ${up} of ${t.shards.length} servers answering.`;
  if (ring === s.claimed) return { measured, verdict: 'holds', why: `The ring routes over ${ring} shards, as claimed.` };
  return { measured, verdict: 'fails', why: `The ring routes over ${ring} shards, not ${s.claimed}: the lab runs what LAB_SHARDS (or a reshard) made it.` };
}

/** How many shards the ring routes over, against the number the original names. */
export const shardCount: MeasureKind<Spec> = {
  kind: 'shard-count',
  spec,
  measure: async (s, { lab }) => judgeShardCount(s, lab.topology()),
};
