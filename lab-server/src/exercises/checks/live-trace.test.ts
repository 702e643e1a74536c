import { describe, expect, it } from 'vitest';
import type { TraceView } from '../../tracing/store.js';
import { judgeLiveTrace, liveTrace, type LiveRun } from './live-trace.js';

const shards = ['shard-0', 'shard-1', 'shard-2'];
const read = (id: string, at: string, shard: string, source: TraceView['source'] = 'sampled'): TraceView => ({
  trace_id: id.repeat(32),
  source,
  name: `GET /api/v1/users/0194${id}`,
  started_at: at,
  duration_ms: 2,
  status_code: 200,
  spans: [
    { span_id: 'r', parent_id: null, name: 'GET /api/v1/users/…', start_ms: 0, duration_ms: 2, status: 'ok', error: null, attributes: {} },
    { span_id: 'p', parent_id: 'r', name: `${shard} primary`, start_ms: 0, duration_ms: 1, status: 'ok', error: null, attributes: { 'lab.shard': shard } },
    { span_id: 'q', parent_id: 'p', name: 'query', start_ms: 0, duration_ms: 1, status: 'ok', error: null, attributes: {} },
  ],
});
const run = (errors = 0): LiveRun => ({
  id: 'run12345-x',
  state: 'finished',
  started_at: '2026-01-01T10:00:00.000Z',
  finished_at: '2026-01-01T10:00:10.000Z',
  summary: { requests: 900, errors },
});
const spec = liveTrace.spec.parse({ kind: 'live-trace', request: 'GET /api/v1/users/', status: 200 });
// Newest first, as the API lists them: one sampled after the run, two during it, one asked for during it.
const traces = [
  read('d', '2026-01-01T10:00:20.000Z', 'shard-0'),
  read('c', '2026-01-01T10:00:09.000Z', 'shard-1', 'asked'),
  read('b', '2026-01-01T10:00:08.000Z', 'shard-2'),
  read('a', '2026-01-01T10:00:02.000Z', 'shard-0'),
];

describe('live-trace check', () => {
  it('asks for a load test, then for sampling during it', () => {
    expect(judgeLiveTrace(spec, 'shard-2', [], traces, shards).message).toMatch(/^No finished load test yet\. Turn on “Sample live traffic”/);
    expect(judgeLiveTrace(spec, 'shard-2', [run()], [traces[0]!, traces[1]!], shards).message).toBe(
      'Load test run12345 sent 900 requests, but none of them was sampled. Turn on “Sample live traffic” (or `trace sample 10`) before you start the run.',
    );
  });

  it('passes the shard of the newest read sampled while the run ran, and fails another', () => {
    const right = judgeLiveTrace(spec, 'shard-2', [run()], traces, shards);
    expect(right).toMatchObject({ passed: true });
    expect(right.message).toMatch(/ran on shard-2\. It was one of 2 requests sampled from load test run12345, which served all 900 of its requests\.$/);
    expect(judgeLiveTrace(spec, 'shard-0', [run()], traces, shards)).toMatchObject({ passed: false });
    expect(judgeLiveTrace(spec, 'shard-7', [run()], traces, shards).message).toBe("There is no shard 'shard-7'.");
  });

  it('fails a run that lost requests: the reading must hold under load', () => {
    expect(judgeLiveTrace(spec, 'shard-2', [run(3)], traces, shards).message).toMatch(/had 3 failed requests of 900/);
  });
});
