import { describe, expect, it } from 'vitest';
import type { CacheTrial } from '../../caching/trial.js';
import { judgeCacheTrial } from './cache-trial.js';

const trial = (ttlStale: number, invStale: number, hit = 90.5, errors = 0): CacheTrial => ({
  finished_at: '2026-01-01T00:00:00.000Z',
  users: 20,
  rounds: 10,
  ttl_s: 600,
  results: [
    { mode: 'ttl-only', reads: 210, hits: 190, misses: 20, hit_percent: 90.5, updates: 10, stale_reads: ttlStale, errors },
    { mode: 'invalidate', reads: 210, hits: 180, misses: 30, hit_percent: hit, updates: 10, stale_reads: invStale, errors: 0 },
  ],
});

describe('cache-trial', () => {
  const s = { kind: 'cache-trial' as const, hit_percent_at_least: 50, now_invalidating: true };
  it('needs stale reads without invalidation, none with it, the hit ratio, and the mode now', () => {
    expect(judgeCacheTrial(s, null, 'off').message).toMatch(/^No cache trial yet/);
    expect(judgeCacheTrial(s, trial(0, 0), 'invalidate').message).toMatch(/should have been stale/);
    expect(judgeCacheTrial(s, trial(10, 1), 'invalidate').message).toMatch(/With invalidation none should be/);
    expect(judgeCacheTrial(s, trial(10, 0, 40), 'invalidate').message).toMatch(/hit ratio of at least 50 %/);
    expect(judgeCacheTrial(s, trial(10, 0, 90.5, 2), 'invalidate').message).toMatch(/2 requests failed/);
    expect(judgeCacheTrial(s, trial(10, 0), 'ttl-only').message).toMatch(/Now turn the cache on with invalidation/);
    expect(judgeCacheTrial(s, trial(10, 0), 'invalidate')).toEqual({
      passed: true,
      message: 'Without invalidation 10 of 10 reads after an update were stale (hit ratio 90.5 %); with it 0 of 10 (hit ratio 90.5 %).',
    });
  });
});
