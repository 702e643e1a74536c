import { describe, expect, it } from 'vitest';
import { ab, judgeAb } from './ab.js';

const run = (rps: number, errors: number) => ({ requests: 1000, errors, requests_per_s: rps, latency_ms: { p50: 2, p95: 5, p99: 12 } });

describe('ab', () => {
  const spec = ab.spec.parse({
    kind: 'ab',
    scenario: 'standard',
    knob: 'pool_max',
    before: '1',
    after: '20',
    duration_s: 10,
    claimed_ratio: { min: 6.2 },
    claimed_success_percent: 100,
  });

  it('says what it will run and that it puts the knob back', () => {
    expect(ab.runs?.(spec)).toBe('Runs the standard load test twice, 10 s each, with pool_max at 1 and then at 20, and puts pool_max back as it was.');
  });

  it('compares the ratio and the success after with the claim, and names both runs', () => {
    const m = judgeAb(spec, run(450, 580), run(2800, 0));
    expect(m.verdict).toBe('holds');
    expect(m.measured).toBe(
      'standard, 10 s each — pool_max 1: 450 req/s, 42.00 % success, p99 12 ms; pool_max 20: 2,800 req/s, 100.00 % success, p99 12 ms. After ÷ before: 6.22× req/s.',
    );
    expect(judgeAb(spec, run(1000, 0), run(1300, 0)).verdict).toBe('fails');
    expect(judgeAb({ ...spec, claimed_ratio: undefined, claimed_success_percent: undefined }, run(1, 0), run(2, 0)).verdict).toBe('unsettled');
  });
});
