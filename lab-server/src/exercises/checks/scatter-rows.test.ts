import { describe, expect, it } from 'vitest';
import type { TraceView } from '../../tracing/store.js';
import { judgeScatterRows, scatterRows } from './scatter-rows.js';

const spec = scatterRows.spec.parse({ kind: 'scatter-rows', limit: 20, min_users: 1000 });
const query = (id: string, rows: number) => ({
  span_id: id,
  parent_id: 'r',
  name: 'query',
  start_ms: 0,
  duration_ms: 1,
  status: 'ok' as const,
  error: null,
  attributes: { 'db.response.returned_rows': rows },
});
const listing: TraceView = {
  trace_id: 'c'.repeat(32),
  source: 'asked',
  name: 'GET /api/v1/users',
  started_at: '2026-01-01T00:00:00.000Z',
  duration_ms: 4.5,
  status_code: 200,
  spans: [{ ...query('r', 0), parent_id: null, name: 'GET /api/v1/users', attributes: {} }, query('a', 21), query('b', 21), query('c', 21)],
};

describe('scatter-rows check', () => {
  it('needs users first', () => {
    expect(judgeScatterRows(spec, 63, { users: 10, trace: null }).message).toMatch(/^The shards hold 10 users; load at least 1,000 first/);
  });

  it('passes a prediction equal to the rows the shards sent, and shows the sum either way', () => {
    expect(judgeScatterRows(spec, 63, { users: 1000, trace: listing })).toEqual({
      passed: true,
      message: 'Right. Measured just now: GET /api/v1/users?limit=20 asked 3 shards in parallel and read 21 + 21 + 21 = 63 rows to return 20 (4.5 ms).',
    });
    const wrong = judgeScatterRows(spec, 20, { users: 1000, trace: listing });
    expect(wrong.passed).toBe(false);
    expect(wrong.message).toMatch(/^You predicted 20\. Measured just now: .* = 63 rows/);
  });
});
