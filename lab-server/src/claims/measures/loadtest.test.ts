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
      'Runs the standard mix load test: up to 100 connections for 60 s against your cluster (stop it from the load-test panel), and measures the CPU each part used.',
    );
  });

  it('holds only when every claimed number holds, and names each comparison', () => {
    expect(judgeLoadTest(spec, run(6000, 4, 0)).verdict).toBe('holds');
    const slow = judgeLoadTest(spec, run(2100, 25, 1));
    expect(slow.verdict).toBe('fails');
    expect(slow.why).toBe('2,100 req/s against 5,000 claimed; p95 25 ms against 5.00 ms claimed; 99.90 % success against 100 % claimed.');
    expect(slow.measured).toBe('standard: 1,000 requests, 2,100 req/s, p50 1.50 ms, p95 25 ms, p99 40 ms, 99.90 % success (100 connections, 60 s).');
  });

  it('runs scenario 4 at its own pace and says where the CPU went', () => {
    const four = loadtest.spec.parse({ kind: 'loadtest', scenario: '10k', rate: 10_000, claimed_success_percent: 100 });
    expect(loadtest.runs?.(four)).toContain('for 60 s at 10,000 requests/s in all');
    const part = (name: 'generator' | 'api' | 'databases' | 'other', cores: number, capacity: number) => ({
      part: name,
      cpu_s: cores * 10,
      cores,
      capacity_cores: capacity,
      utilisation: cores / capacity,
      processes: [],
    });
    const cpu = {
      window_s: 10,
      machine_cores: 2,
      machine_busy: 1,
      parts: [part('generator', 0.97, 1), part('api', 0.6, 1), part('databases', 0.3, 2), part('other', 0.13, 2)],
      limit: 'generator' as const,
      why: '',
    };
    const r = judgeLoadTest(four, { ...run(1900, 30, 0), summary: { ...run(1900, 30, 0).summary, cpu } });
    const killed = judgeLoadTest(four, {
      ...run(2, 30, 9_000),
      state: 'failed',
      error: 'killed',
      summary: { requests: 133, errors: 9_000, requests_per_s: 2, cpu },
    });
    expect(killed.verdict).toBe('fails');
    expect(killed.measured).toContain('0.00 % success');
    expect(killed.measured).toContain('The run failed (killed): these are its numbers until then.');
    expect(r.measured).toMatch(
      /CPU \(cores busy, of 2\): generator 0\.97 of 1, api 0\.60 of 1, databases 0\.30 of 2, other programs 0\.13; limit: generator\.$/,
    );
  });

  it('cannot decide a claim without numbers, and refuses an unknown scenario', () => {
    expect(judgeLoadTest(loadtest.spec.parse({ kind: 'loadtest', scenario: 'smoke' }), run(10, 1, 0)).verdict).toBe('unsettled');
    expect(loadtest.spec.safeParse({ kind: 'loadtest', scenario: 'nope' }).success).toBe(false);
  });
});
