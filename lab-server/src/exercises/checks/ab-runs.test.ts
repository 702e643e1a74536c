import { describe, expect, it } from 'vitest';
import { abChange } from './ab-change.js';
import { abRuns, judgeAbRuns } from './ab-runs.js';

const run = (id: string, conditions: Record<string, string>, rps: number, errors = 0) => ({
  id,
  state: 'finished',
  scenario: 'smoke',
  conditions: { data_layer: 'pg', ...conditions },
  summary: { requests: rps * 3, requests_per_s: rps, errors, latency_ms: { p95: 10 } },
});

describe('ab-runs and ab-change checks', () => {
  const pool = abRuns.spec.parse({ kind: 'ab-runs', scenario: 'smoke', knob: 'pool_max', larger: true, ignore: ['pool_wait_timeout_ms'], no_errors: true });

  it('pairs the newest run with the newest earlier one that differs in the knob, and reports both', () => {
    const runs = [run('b', { pool_max: '20', pool_wait_timeout_ms: '3000' }, 300), run('a', { pool_max: '1', pool_wait_timeout_ms: '100' }, 100, 40)];
    const r = judgeAbRuns(pool, undefined, runs);
    expect(r).toMatchObject({ passed: true, message: expect.stringContaining('100 → 300 req/s (+200 %)') });
  });

  it('fails when the pool did not grow, the later run failed requests, or another knob differs too', () => {
    expect(judgeAbRuns(pool, undefined, [run('b', { pool_max: '1' }, 100), run('a', { pool_max: '20' }, 300)]).passed).toBe(false);
    expect(judgeAbRuns(pool, undefined, [run('b', { pool_max: '20' }, 300, 2), run('a', { pool_max: '1' }, 100)]).message).toContain('2 failed');
    const other = judgeAbRuns(pool, undefined, [run('b', { pool_max: '20', data_layer: 'prisma' }, 300), run('a', { pool_max: '1' }, 100)]);
    expect(other.message).toContain('data_layer: pg → prisma');
  });

  it('ab-change asks the change in req/s within the tolerance', () => {
    const spec = abChange.spec.parse({ kind: 'ab-change', scenario: 'smoke', knob: 'prepared_statements', after: 'off' });
    const runs = [run('b', { prepared_statements: 'off' }, 90), run('a', { prepared_statements: 'on' }, 100)];
    expect(judgeAbRuns(spec, -10, runs).passed).toBe(true);
    expect(judgeAbRuns(spec, -12, runs).passed).toBe(false);
    expect(judgeAbRuns(spec, undefined, runs).passed).toBe(false);
    expect(judgeAbRuns(spec, -10, [runs[1]!, runs[0]!]).passed).toBe(false);
  });
});
