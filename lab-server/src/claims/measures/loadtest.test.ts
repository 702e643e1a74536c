import { describe, expect, it } from 'vitest';
import { judgeLoadTest, loadtest } from './loadtest.js';

const run = (rps: number, p95: number, errors: number) => ({
  id: 'r1',
  state: 'finished',
  params: { connections: 100, duration_s: 60 },
  summary: { requests: 1000, errors, requests_per_s: rps, latency_ms: { p50: 1.5, p95, p99: 40 } },
});

describe('loadtest', () => {
  const spec = loadtest.spec.parse({ kind: 'loadtest', scenario: 'standard', claimed_rps: 5000, claimed_p95_ms: 5, claimed_success_percent: 100 });

  it('says what it will run, from the scenario itself', () => {
    expect(loadtest.runs?.(spec)).toBe(
      'Runs the standard mix load test: up to 100 connections for 60 s against your cluster (stop it from the load-test panel).',
    );
  });

  it('holds only when every claimed number holds, and names each comparison', () => {
    expect(judgeLoadTest(spec, run(6000, 4, 0)).verdict).toBe('holds');
    const slow = judgeLoadTest(spec, run(2100, 25, 1));
    expect(slow.verdict).toBe('fails');
    expect(slow.why).toBe('2,100 req/s against 5,000 claimed; p95 25 ms against 5.00 ms claimed; 99.90 % success against 100 % claimed.');
    expect(slow.measured).toBe('standard: 2,100 req/s, p50 1.50 ms, p95 25 ms, p99 40 ms, 99.90 % success (100 connections, 60 s).');
  });

  it('cannot decide a claim without numbers, and refuses an unknown scenario', () => {
    expect(judgeLoadTest(loadtest.spec.parse({ kind: 'loadtest', scenario: 'smoke' }), run(10, 1, 0)).verdict).toBe('unsettled');
    expect(loadtest.spec.safeParse({ kind: 'loadtest', scenario: 'nope' }).success).toBe(false);
  });
});
