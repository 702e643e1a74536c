import { describe, expect, it } from 'vitest';
import { endpointOf, LatencyBreakdown, splitTrace } from './breakdown.js';
import type { SpanView, TraceView } from './store.js';

const span = (name: string, start_ms: number, end_ms: number): SpanView => ({
  span_id: `${name}@${start_ms}`,
  parent_id: 'root',
  name,
  start_ms,
  duration_ms: end_ms - start_ms,
  status: 'ok',
  error: null,
  attributes: {},
});

/** A 10 ms request: a pool wait, two statements on two shards that overlap, its JSON built, then written. */
const trace: TraceView = {
  trace_id: 't',
  source: 'asked',
  name: 'GET /api/v1/users/0190a6e0-0000-7000-8000-000000000000',
  started_at: '2026-01-01T00:00:00.000Z',
  duration_ms: 10,
  status_code: 200,
  spans: [span('pool wait', 0.5, 1.5), span('query', 1.5, 3.5), span('query', 2.5, 4.5), span('serialise JSON', 5, 5.5), span('response', 6, 7)],
};

describe('the latency breakdown', () => {
  it('splits a request into its parts: overlapping queries count once, the server work is what no part covers', () => {
    expect(splitTrace(trace)).toEqual({ total: 10, pool_wait: 1, query: 3, serialise: 0.5, response: 1, server: 4.5 });
  });

  it('keeps one row per route, ids folded, with percentiles of each part', () => {
    expect(endpointOf(trace.name)).toBe('GET /api/v1/users/:id');
    const b = new LatencyBreakdown();
    b.record(trace);
    b.record({ ...trace, name: 'GET /lab/v1/topology' });
    const [row] = b.view();
    expect(b.view()).toHaveLength(1);
    expect(row).toMatchObject({ endpoint: 'GET /api/v1/users/:id', requests: 1, parts: { serialise: { p50: 0.5, p95: 0.5, mean: 0.5 } } });
  });
});
