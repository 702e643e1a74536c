import { describe, expect, it } from 'vitest';
import type { LadderStep, LadderView } from '../../contracts/ladder.js';
import { bestRung, judgeLadder } from './ladder.js';

const step = (
  rung: LadderStep['rung'],
  rps: number,
  ratio: number,
  errors = 0,
  skipped: string | null = null,
  withinNoise: boolean | null = null,
): LadderStep => ({
  rung,
  setup: [],
  run_id: skipped ? null : 'r',
  skipped,
  requests: 100,
  errors,
  requests_per_s: rps,
  p50_ms: 1,
  p99_ms: 10,
  runs_rps: [rps],
  spread_percent: null,
  within_noise: withinNoise,
  rps_ratio: skipped ? null : ratio,
  p99_ratio: skipped ? null : 1,
  stale_reads: 0,
  replica_reads: 0,
  lag_bytes_max: null,
  lag_ms_max: null,
});
const view = (state: LadderView['state'], steps: LadderStep[]): LadderView => ({
  state,
  request: null,
  current: null,
  steps,
  notes: [],
  error: null,
  started_at: null,
  finished_at: null,
});

describe('ladder', () => {
  const s = { kind: 'ladder' as const, rungs_at_least: 3 };
  const climbed = view('finished', [
    step('baseline', 100, 1),
    step('pooling', 90, 0.9),
    step('replicas', 95, 0.95, 0, 'PgBouncer is not installed'),
    step('cache', 180, 1.8),
  ]);
  it('asks for a prediction, then a finished climb from the baseline over enough rungs with no failed request', () => {
    expect(judgeLadder(s, climbed, undefined).message).toMatch(/^Predict first/);
    expect(judgeLadder(s, climbed, 14).message).toMatch(/^14 is not a rung above the baseline/);
    expect(judgeLadder(s, view('idle', []), 4).message).toMatch(/^Climb the ladder/);
    expect(judgeLadder(s, view('running', []), 4).message).toMatch(/still running/);
    expect(judgeLadder(s, view('finished', [step('pooling', 1, 1), step('cache', 2, 2), step('replicas', 2, 2)]), 4).message).toMatch(
      /start from the baseline/,
    );
    expect(judgeLadder(s, view('finished', [step('baseline', 1, 1), step('cache', 2, 2)]), 4).message).toMatch(/measured 2 rungs; climb at least 3/);
    expect(judgeLadder(s, view('finished', [step('baseline', 1, 1), step('pooling', 1, 1, 5), step('cache', 2, 2)]), 4).message).toMatch(
      /^pooling: 5 of 100 requests failed/,
    );
    expect(judgeLadder(s, climbed, 5)).toEqual({
      passed: true,
      message:
        'Measured: baseline 100 req/s (1.00×), pooling 90 req/s (0.90×), cache 180 req/s (1.80×). You predicted cache; the largest gain was cache (1.80×) — as you said.',
    });
    expect(judgeLadder(s, climbed, 4).message).toMatch(/You predicted pooling; the largest gain was cache \(1\.80×\)\. Why\?/);
    expect(judgeLadder(s, climbed, 1).message).toMatch(/^1 is not a rung above the baseline: enter 2 indexes, 3 replicas, 4 pooling, 5 cache, 6 shards\./);
    const noisy = view('finished', [step('baseline', 100, 1), step('indexes', 104, 1.04, 0, null, true), step('cache', 101, 1.01, 0, null, true)]);
    expect(judgeLadder(s, noisy, 2).message).toMatch(
      /the largest gain was indexes \(1\.04×\), within the spread of the baseline’s own runs — not a clear win on this machine now — as you said\./,
    );
  });
  it('the best rung skips the baseline and skipped rungs, and numbers it as the ladder does', () => {
    expect(bestRung(climbed)).toEqual({ rung: 'cache', number: 5, ratio: 1.8, withinNoise: false });
    expect(bestRung(null)).toBeNull();
  });
});
