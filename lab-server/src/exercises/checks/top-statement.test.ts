import { describe, expect, it } from 'vitest';
import { judgeTopStatement, topStatement } from './top-statement.js';

const spec = topStatement.spec.parse({ kind: 'top-statement', shard: 'shard-0', tolerance_points: 2 });
const since = '2026-11-29T12:00:00.000Z';
const after = ['2026-11-29T12:00:01.000Z'];
const view = (calls: number, share: number) => ({
  since,
  total_ms: 900,
  statements: [{ query: 'SELECT id, first_name FROM users WHERE id = $1', calls, mean_ms: 0.05, share_pct: share }],
});

describe('top-statement check', () => {
  it('passes on the measured share, within the tolerance', () => {
    expect(judgeTopStatement(spec, 41, view(500, 42.5), after)).toMatchObject({ passed: true, message: expect.stringContaining('42.5 %') });
  });

  it('fails before a whole load test has run since the reset, without an answer, and on a share far off', () => {
    expect(judgeTopStatement(spec, 42.5, { since, total_ms: 0, statements: [] }, after).message).toContain('No load test has run');
    // A run that started before the reset: the statistics miss its beginning.
    expect(judgeTopStatement(spec, 42.5, view(12, 42.5), ['2026-11-29T11:59:59.000Z']).message).toContain('No load test has run');
    expect(judgeTopStatement(spec, undefined, view(500, 42.5), after).passed).toBe(false);
    expect(judgeTopStatement(spec, 52.5, view(500, 42.5), after).passed).toBe(false);
  });
});
