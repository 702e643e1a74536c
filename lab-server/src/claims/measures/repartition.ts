import { z } from 'zod';
import { failUnlessOk, jobResult, startAndWait } from '../../exercises/actions/lab-api.js';
import { fmt } from '../../exercises/checks/format.js';
import type { Measurement, MeasureKind } from '../measure-kind.js';
import { measureSchema } from './spec.js';

const spec = measureSchema('repartition', {
  partitions: z.number().int().min(2).max(64),
  /** Seeded first when the shards hold fewer, so the copy has rows enough to time. */
  users: z.number().int().min(1).max(1_000_000),
  claimed_rows: z.number().int().min(1),
  claimed_seconds: z.number().gt(0),
});
type Spec = z.output<typeof spec>;

/** What one build reported per shard (the PartitionBuild a repartition job returns). */
const Built = z.object({
  shards: z.array(z.object({ shard_name: z.string(), rows_copied: z.number(), ms: z.number(), blocked_ms: z.number() })),
});

const rate = (rows: number, seconds: number) => rows / Math.max(seconds, 1e-3);

/**
 * Compares rates, not times: the original copied 6.87 M rows on its machine, this lab copies what it holds on
 * this one. Faster here holds; slower says how much slower and leaves the claim for its own hardware.
 */
export function judgeRepartition(s: Spec, built: z.output<typeof Built>): Measurement {
  const rows = built.shards.reduce((n, x) => n + x.rows_copied, 0);
  // The shards build in parallel: the wall time is the slowest shard's.
  const seconds = Math.max(0, ...built.shards.map((x) => x.ms)) / 1000;
  const waited = Math.max(0, ...built.shards.map((x) => x.blocked_ms));
  if (rows === 0) return { measured: 'The shards hold no users.', verdict: 'unsettled', why: 'There was nothing to copy: load users first.' };
  const here = rate(rows, seconds);
  const claimed = rate(s.claimed_rows, s.claimed_seconds);
  const ratio = here / claimed;
  const measured = `Copied ${fmt(rows)} users into ${s.partitions} partitions on each of ${built.shards.length} shards in ${seconds.toFixed(2)} s (${fmt(Math.round(here))} rows/s), online; writes waited at most ${fmt(waited)} ms.`;
  const versus = `The original: ${fmt(s.claimed_rows)} rows in ${s.claimed_seconds} s, ${fmt(Math.round(claimed))} rows/s; here ${ratio.toFixed(2)}× that rate`;
  if (ratio >= 1) return { measured, verdict: 'holds', why: `${versus}.` };
  return {
    measured,
    verdict: 'unsettled',
    why: `${versus}, so its ${fmt(s.claimed_rows)} rows would take about ${fmt(Math.round(s.claimed_rows / here))} s on this machine; the claim is about the original's hardware, and this copy also mirrors every write it races.`,
  };
}

/** Repartitions users online (a job) on the users the shards hold, after topping them up to `users`. */
export const repartition: MeasureKind<Spec> = {
  kind: 'repartition',
  spec,
  runs: (s) => `Loads generated users until the shards hold ${fmt(s.users)}, then rebuilds users on every shard with ${s.partitions} hash partitions, online.`,
  measure: async (s, ctx) => {
    const stats = await ctx.api.call<{ total_users: number }>('GET', '/api/v1/shards/stats');
    failUnlessOk(stats, 'GET /api/v1/shards/stats');
    const short = s.users - stats.body.total_users;
    if (short > 0) await startAndWait(ctx, 'POST', '/lab/v1/seed', { users: short });
    const job = await startAndWait(ctx, 'POST', '/lab/v1/partitions', { partitions: s.partitions });
    return judgeRepartition(s, jobResult(job, Built));
  },
};
