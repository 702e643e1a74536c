import { describe, expect, it } from 'vitest';
import { judgeCleanRun, type RunView } from './clean-run.js';

const trialAt = '2026-01-01T10:00:00.000Z';
const run = (started_at: string, errors: number, state = 'finished'): RunView => ({
  state,
  params: { scenario: 'smoke' },
  started_at,
  summary: { requests: 1500, requests_per_s: 300, errors },
});
const spec = { kind: 'clean-run' as const, scenario: 'smoke', max_errors: 0 };

describe('clean-run check', () => {
  it('counts only a run that started after the last trial', () => {
    expect(judgeCleanRun(spec, [run('2026-01-01T10:01:00.000Z', 0)], null).message).toMatch(/^Run a write-then-read trial first/);
    expect(judgeCleanRun(spec, [run('2026-01-01T09:59:00.000Z', 0)], trialAt).message).toMatch(/^Run the smoke load test now/);
    expect(judgeCleanRun(spec, [run('2026-01-01T10:01:00.000Z', 0, 'running')], trialAt).message).toMatch(/still running/);
  });

  it('passes with no errors and fails with them, naming what it measured', () => {
    expect(judgeCleanRun(spec, [run('2026-01-01T10:01:00.000Z', 0)], trialAt)).toEqual({
      passed: true,
      message: 'Under load: 1,500 requests at 300 req/s, 0 errors.',
    });
    expect(judgeCleanRun(spec, [run('2026-01-01T10:01:00.000Z', 37)], trialAt).message).toMatch(/37 errors\. Which read policy was on\?/);
  });
});
