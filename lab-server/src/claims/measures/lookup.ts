import { z } from 'zod';
import { errorMessage } from '../../net/self-client.js';
import { failUnlessOk } from '../../exercises/actions/lab-api.js';
import type { Measurement, MeasureKind } from '../measure-kind.js';
import { median } from '../../values/median.js';
import { measureSchema } from './spec.js';

const spec = measureSchema('lookup', {
  shard: z.string().default('shard-0'),
  claimed_ms: z.number().gt(0),
  claimed_partitions: z.number().int().min(1).default(1),
  /** EXPLAIN ANALYZE runs of the same lookup; the median is reported, as one run on a busy machine is noise. */
  repeats: z.number().int().min(1).max(21).default(5),
});
type Spec = z.output<typeof spec>;

interface Touch {
  scanned: string[];
  partitions_total: number;
  execution_ms: number;
}

/** The partitions read decide; the time is compared as a ratio, since it is the original's machine's. */
export function judgeLookup(s: Spec, runs: readonly Touch[]): Measurement {
  const first = runs[0]!;
  const ms = median(runs.map((r) => r.execution_ms)) ?? first.execution_ms;
  const read = first.scanned.length;
  const measured = `A lookup by id on ${s.shard} read ${read} of ${first.partitions_total} partitions (${first.scanned.join(', ')}); execution ${ms.toFixed(3)} ms, the median of ${runs.length} EXPLAIN ANALYZE runs.`;
  if (read !== s.claimed_partitions)
    return { measured, verdict: 'fails', why: `The claim is ${s.claimed_partitions} partition read; PostgreSQL read ${read}.` };
  const ratio = ms / s.claimed_ms;
  const partitions = `${read} partition read, as claimed`;
  if (ratio <= 1)
    return { measured, verdict: 'holds', why: `${partitions}, in ${ms.toFixed(3)} ms against the claimed ${s.claimed_ms} ms (${ratio.toFixed(2)}×).` };
  return {
    measured,
    verdict: 'unsettled',
    why: `${partitions}, but ${ratio.toFixed(2)}× the claimed ${s.claimed_ms} ms: the time is this machine's, now, beside the load it carries.`,
  };
}

/** EXPLAIN ANALYZE of one user looked up by id in the hash-partitioned users (read only: it needs the partitions built). */
export const lookup: MeasureKind<Spec> = {
  kind: 'lookup',
  spec,
  measure: async (s, ctx) => {
    const url = `/lab/v1/partitions/pruning?shard=${encodeURIComponent(s.shard)}`;
    const first = await ctx.api.call<{ id: string; by_id: Touch }>('GET', url);
    if (first.status === 409) return { measured: 'Nothing to look up.', verdict: 'unsettled', why: `${errorMessage(first)} (exercise “build-8” does both).` };
    failUnlessOk(first, `GET ${url}`);
    const runs = [first.body.by_id];
    for (let i = 1; i < s.repeats; i++) {
      const again = await ctx.api.call<{ by_id: Touch }>('GET', `${url}&id=${first.body.id}`);
      failUnlessOk(again, `GET ${url}`);
      runs.push(again.body.by_id);
    }
    return judgeLookup(s, runs);
  },
};
