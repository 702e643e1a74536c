import { describe, expect, it } from 'vitest';
import { judgeLoadtestRun, loadtestRun } from './loadtest-run.js';

const spec = { kind: 'loadtest-run' as const, scenario: 'smoke' };
const finished = { state: 'finished', params: { scenario: 'smoke' }, summary: { requests_per_s: 1234.4, latency_ms: { p95: 12 }, errors: 0 } };

describe('loadtest-run check', () => {
  it('takes an optional scenario', () => {
    expect(loadtestRun.spec.parse({ kind: 'loadtest-run' })).toEqual({ kind: 'loadtest-run' });
    expect(loadtestRun.spec.safeParse({ kind: 'loadtest-run', scenario: 3 }).success).toBe(false);
  });

  it('passes on a finished run of the scenario, with what it measured', () => {
    expect(judgeLoadtestRun(spec, [{ state: 'failed', params: { scenario: 'smoke' } }, finished])).toEqual({
      passed: true,
      message: 'Measured here: 1,234 req/s, p95 12 ms, 0 errors.',
    });
    expect(judgeLoadtestRun(spec, [{ state: 'finished', scenario: 'smoke' }]).message).toBe('Measured here: the run finished.');
    expect(judgeLoadtestRun({ kind: 'loadtest-run' }, [{ ...finished, params: { scenario: 'spike' } }]).passed).toBe(true);
  });

  it('fails while the run is still going, and without a run of that scenario', () => {
    expect(judgeLoadtestRun(spec, [{ state: 'running', params: { scenario: 'smoke' } }])).toEqual({
      passed: false,
      message: 'A smoke load test is still running; check again when it has finished.',
    });
    expect(judgeLoadtestRun(spec, [{ ...finished, params: { scenario: 'spike' } }])).toEqual({
      passed: false,
      message: 'No finished run of a smoke load test yet. Start one from the load-test panel.',
    });
    expect(judgeLoadtestRun({ kind: 'loadtest-run' }, []).message).toBe('No finished run of a load test yet. Start one from the load-test panel.');
  });
});
