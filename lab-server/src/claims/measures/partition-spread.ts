import { z } from 'zod';
import { failUnlessOk } from '../../exercises/actions/lab-api.js';
import { fmt, pct } from '../../exercises/checks/format.js';
import type { Measurement, MeasureKind } from '../measure-kind.js';
import { measureSchema } from './spec.js';

const spec = measureSchema('partition-spread', {
  claimed_partitions: z.number().int().min(2).max(64),
  claimed_min_pct: z.number().gt(0).max(100),
  claimed_max_pct: z.number().gt(0).max(100),
});
type Spec = z.output<typeof spec>;

interface Shard {
  shard_name: string;
  partitioned: boolean;
  modulus: number | null;
  partitions: { rows: number }[];
}

/**
 * Every partition's share of its shard, against the claimed band. A hash spreads n rows over k partitions
 * with a share's standard deviation of √(p(1−p)/n), p = 1/k: a band tighter than three of those needs more
 * rows than the lab holds, which says too few rows, not a bad hash.
 */
export function judgePartitionSpread(s: Spec, shards: readonly Shard[]): Measurement {
  const built = shards.filter((x) => x.partitioned);
  if (built.length === 0) return { measured: 'No shard has users partitioned.', verdict: 'unsettled', why: 'Build the partitions first (exercise “build-8”).' };
  const counts = [...new Set(built.map((x) => x.modulus))].join(', ');
  if (built.some((x) => x.modulus !== s.claimed_partitions))
    return {
      measured: `users has ${counts} partitions per shard here.`,
      verdict: 'unsettled',
      why: `The claim is about ${s.claimed_partitions} partitions (the original's server builds 8, its docs say 16): build ${s.claimed_partitions} (\`partitions build ${s.claimed_partitions}\`) and measure again.`,
    };
  const shares = built.flatMap((x) => {
    const total = x.partitions.reduce((n, p) => n + p.rows, 0);
    return total ? x.partitions.map((p) => ({ share: (100 * p.rows) / total, rows: total })) : [];
  });
  if (shares.length === 0) return { measured: 'The partitions are empty.', verdict: 'unsettled', why: 'Load users first.' };
  const lo = Math.min(...shares.map((x) => x.share));
  const hi = Math.max(...shares.map((x) => x.share));
  const fewest = Math.min(...shares.map((x) => x.rows));
  const p = 1 / s.claimed_partitions;
  const sd = 100 * Math.sqrt((p * (1 - p)) / fewest);
  const measured = `Every partition holds ${pct(lo)} to ${pct(hi)} of its shard (${built.length} shards × ${s.claimed_partitions} partitions, ${fmt(fewest)} rows on the smallest shard); an even share is ${pct(100 * p)}.`;
  const band = `the claimed band is ${pct(s.claimed_min_pct)} to ${pct(s.claimed_max_pct)}`;
  if (lo >= s.claimed_min_pct && hi <= s.claimed_max_pct) return { measured, verdict: 'holds', why: `Inside ${band}.` };
  const worst = Math.max(100 * p - lo, hi - 100 * p) / sd;
  if (worst <= 4) {
    // Rows for three standard deviations to fit inside the band's half-width.
    const half = (s.claimed_max_pct - s.claimed_min_pct) / 2 / 100;
    const needed = Math.ceil((9 * p * (1 - p)) / (half * half));
    return {
      measured,
      verdict: 'unsettled',
      why: `Outside ${band}, but the widest share is ${worst.toFixed(1)} standard deviations from even, what chance gives on ${fmt(fewest)} rows; that band needs about ${fmt(needed)} rows per shard.`,
    };
  }
  return { measured, verdict: 'fails', why: `Outside ${band}, and ${worst.toFixed(1)} standard deviations from even: more than chance on this many rows.` };
}

/** Reads the partition inspector: how evenly PostgreSQL's hash filled every shard's partitions. */
export const partitionSpread: MeasureKind<Spec> = {
  kind: 'partition-spread',
  spec,
  measure: async (s, ctx) => {
    const r = await ctx.api.call<{ shards: Shard[] }>('GET', '/lab/v1/partitions');
    failUnlessOk(r, 'GET /lab/v1/partitions');
    return judgePartitionSpread(s, r.body.shards);
  },
};
