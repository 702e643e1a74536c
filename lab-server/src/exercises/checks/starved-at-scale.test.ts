import { describe, expect, it } from 'vitest';
import { judgeStarvedAtScale, starvedAtScale } from './starved-at-scale.js';

const spec = starvedAtScale.spec.parse({ kind: 'starved-at-scale', scenario: 'crud', users_per_connection: 200 });
const run = (id: string, pool: number, users: number, errors: number, marks: { kind: string; label: string; t_s: number }[] = []) => ({
  id,
  state: 'finished',
  scenario: 'crud',
  params: { connections: users },
  conditions: { pool_max: String(pool), workers: '0' },
  marks,
  summary: { requests: 1000, requests_per_s: 100, errors, latency_ms: { p95: 90 } },
});

describe('starved-at-scale check', () => {
  it('wants the starved run at 200 users per connection, a later run with a bigger pool, and its success rate; says whether the pool helped', () => {
    const runs = [run('after', 4, 1000, 10), run('before', 1, 1000, 580)];
    expect(judgeStarvedAtScale(spec, 42, runs, 5)).toMatchObject({ passed: true, message: expect.stringContaining('42 % → 99 %') });
    expect(judgeStarvedAtScale(spec, 42, runs, 5).message).toContain('helped, as in the original');
    const unhelped = judgeStarvedAtScale(spec, 42, [run('after', 4, 1000, 600), run('before', 1, 1000, 580)], 5);
    expect(unhelped).toMatchObject({ passed: true, message: expect.stringContaining('did not help here') });
    expect(judgeStarvedAtScale(spec, 50, runs, 5).passed).toBe(false);
    expect(judgeStarvedAtScale(spec, undefined, runs, 5).passed).toBe(false);
  });

  it('refuses a run below the ratio and a run during which a knob turned', () => {
    expect(judgeStarvedAtScale(spec, 42, [run('after', 4, 500, 10), run('before', 1, 500, 580)], 5).message).toContain('at least 200 users');
    const marked = run('after', 4, 1000, 10, [{ kind: 'knob', label: 'pool_max → 4', t_s: 1 }]);
    expect(judgeStarvedAtScale(spec, 42, [marked, run('before', 1, 1000, 580)], 5).passed).toBe(false);
  });
});
