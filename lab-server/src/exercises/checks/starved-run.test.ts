import { describe, expect, it } from 'vitest';
import { judgeStarvedRun, starvedRun } from './starved-run.js';

const spec = starvedRun.spec.parse({ kind: 'starved-run', scenario: 'smoke', pool_max: 1 });
const run = (pool: string, errors: number) => ({
  id: `run-${pool}-${errors}`,
  state: 'finished',
  scenario: 'smoke',
  conditions: { pool_max: pool, pool_wait_timeout_ms: '100' },
  summary: { requests: 500, requests_per_s: 50, errors, latency_ms: { p95: 90 } },
});

describe('starved-run check', () => {
  it('asks for the failures of the newest run with a pool that small', () => {
    expect(judgeStarvedRun(spec, 37, [run('20', 0), run('1', 37)])).toMatchObject({ passed: true });
    expect(judgeStarvedRun(spec, 38, [run('1', 37)]).message).toContain('Read “errors”');
    expect(judgeStarvedRun(spec, undefined, [run('1', 37)]).passed).toBe(false);
  });

  it('says how to starve the pool when no run did', () => {
    expect(judgeStarvedRun(spec, 0, [run('20', 0)])).toMatchObject({ passed: false, message: expect.stringContaining('tune knob pool_max 1') });
  });
});
