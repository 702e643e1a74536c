import { z } from 'zod';
import type { CacheTrial } from '../../caching/trial.js';
import { errorMessage } from '../../net/self-client.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import { fmt } from './format.js';
import { percent } from './params.js';

const spec = z.strictObject({
  kind: z.literal('cache-trial'),
  /** The hit ratio the invalidating cache must reach, in percent. */
  hit_percent_at_least: percent,
  /** Also require the cache to be on with invalidation now. */
  now_invalidating: z.boolean().default(false),
});
type CacheTrialSpec = z.output<typeof spec>;

const RUN_ONE = 'Press “Run the trial” in the cache panel, or run `cache trial` in the terminal.';

/** The last trial: stale reads without invalidation, none with it, a hit ratio that pays; with `now_invalidating`, the mode now. */
export function judgeCacheTrial(s: CacheTrialSpec, trial: CacheTrial | null, mode: string): CheckResult {
  if (!trial) return fail(`No cache trial yet. ${RUN_ONE}`);
  const ttl = trial.results.find((r) => r.mode === 'ttl-only');
  const inv = trial.results.find((r) => r.mode === 'invalidate');
  if (!ttl || !inv) return fail(`The last trial did not run both modes. ${RUN_ONE}`);
  const seen = `Without invalidation ${fmt(ttl.stale_reads)} of ${fmt(ttl.updates)} reads after an update were stale (hit ratio ${ttl.hit_percent} %); with it ${fmt(inv.stale_reads)} of ${fmt(inv.updates)} (hit ratio ${inv.hit_percent} %).`;
  if (ttl.errors + inv.errors > 0) return fail(`${seen} ${fmt(ttl.errors + inv.errors)} requests failed; check the shards, then run it again.`);
  if (ttl.stale_reads === 0) return fail(`${seen} Without invalidation some reads should have been stale: run the trial again.`);
  if (inv.stale_reads > 0) return fail(`${seen} With invalidation none should be.`);
  if (inv.hit_percent < s.hit_percent_at_least)
    return fail(`${seen} This step needs a hit ratio of at least ${s.hit_percent_at_least} %: read each user more often (more rounds).`);
  if (s.now_invalidating && mode !== 'invalidate')
    return fail(`${seen} Now turn the cache on with invalidation on write (the cache panel, or \`cache mode invalidate\`).`);
  return pass(seen);
}

/** The last cache trial showed what invalidation buys (and, with `now_invalidating`, the cache invalidates now). */
export const cacheTrial: CheckKind<CacheTrialSpec> = {
  kind: 'cache-trial',
  spec,
  async run(s, ctx) {
    const r = await ctx.api.call<{ mode: string; last_trial: CacheTrial | null }>('GET', '/lab/v1/cache');
    if (r.status !== 200) return fail(`Could not read GET /lab/v1/cache: ${errorMessage(r)}`);
    return judgeCacheTrial(s, r.body.last_trial, r.body.mode);
  },
};
