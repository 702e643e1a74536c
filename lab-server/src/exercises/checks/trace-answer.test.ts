import { describe, expect, it } from 'vitest';
import type { TraceView } from '../../tracing/store.js';
import { judgeTraceAnswer, traceAnswer } from './trace-answer.js';

const shards = ['shard-0', 'shard-1', 'shard-2'];
const span = (span_id: string, parent_id: string | null, name: string, attributes: TraceView['spans'][number]['attributes'] = {}) => ({
  span_id,
  parent_id,
  name,
  start_ms: 0,
  duration_ms: 1,
  status: 'ok' as const,
  error: null,
  attributes,
});
const create: TraceView = {
  trace_id: 'a'.repeat(32),
  source: 'asked',
  name: 'POST /api/v1/users',
  started_at: '2026-01-01T00:00:00.000Z',
  duration_ms: 3,
  status_code: 201,
  spans: [
    span('r', null, 'POST /api/v1/users'),
    span('p', 'r', 'shard-2 primary', { 'lab.shard': 'shard-2' }),
    span('q', 'p', 'query', { 'db.query.text': 'INSERT INTO users …' }),
  ],
};
const bad: TraceView = { ...create, trace_id: 'b'.repeat(32), status_code: 400, spans: [span('r', null, 'POST /api/v1/users')] };
const shardSpec = traceAnswer.spec.parse({ kind: 'trace-answer', request: 'POST /api/v1/users', status: 201, ask: 'shard' });
const countSpec = traceAnswer.spec.parse({ kind: 'trace-answer', request: 'POST /api/v1/users', status: 400, ask: 'queries' });

describe('trace-answer check', () => {
  it('names a messenger request', () => {
    expect(traceAnswer.spec.safeParse({ kind: 'trace-answer', request: 'GET /lab/v1/shards', status: 200, ask: 'shard' }).success).toBe(false);
  });

  it('asks for a trace first, naming the button and the command', () => {
    expect(judgeTraceAnswer(shardSpec, 'shard-2', [bad], shards).message).toBe(
      "No traced POST /api/v1/users that answered 201 yet. Send one with the request tracer's Trace button, or `trace POST /api/v1/users …` in the terminal.",
    );
  });

  it('passes the shard whose server ran the statements, and fails another', () => {
    expect(judgeTraceAnswer(shardSpec, '2', [bad, create], shards)).toMatchObject({ passed: true });
    expect(judgeTraceAnswer(shardSpec, 'shard-1', [create], shards)).toMatchObject({ passed: false });
    expect(judgeTraceAnswer(shardSpec, 'shard-9', [create], shards).message).toBe("There is no shard 'shard-9'.");
  });

  it('counts the statements of the newest matching trace: none for input refused at the edge', () => {
    expect(judgeTraceAnswer(countSpec, 0, [create, bad], shards)).toEqual({
      passed: true,
      message: `Right: trace bbbbbbbb…, 1 spans, 3 ms; no statement reached PostgreSQL.`,
    });
    expect(judgeTraceAnswer(countSpec, 1, [bad], shards).passed).toBe(false);
    expect(judgeTraceAnswer({ ...countSpec, status: 201 }, 1, [create], shards).message).toMatch(/1 statement: INSERT\.$/);
  });
});
