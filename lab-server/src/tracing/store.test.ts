import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { SOURCE_ATTRIBUTE, TraceStore, type TraceSource } from './store.js';

/** Real spans from the SDK (a provider of its own, not the lab's global one) into a store that keeps `keep`. */
function recorder(keep: number) {
  const store = new TraceStore(keep);
  const tracer = new BasicTracerProvider({ spanProcessors: [store] }).getTracer('test');
  /** Starts a request (a server span with one child); `end` finishes it. */
  const start = (name: string, source: TraceSource = 'asked') => {
    const root = tracer.startSpan(name, { kind: SpanKind.SERVER, attributes: { [SOURCE_ATTRIBUTE]: source } });
    const child = tracer.startSpan('query', {}, trace.setSpan(ROOT_CONTEXT, root));
    return {
      id: root.spanContext().traceId,
      end: () => {
        child.end();
        root.end();
      },
    };
  };
  const request = (name: string, source: TraceSource = 'asked') => {
    const r = start(name, source);
    r.end();
    return r.id;
  };
  return { store, start, request, tracer };
}

describe('TraceStore', () => {
  it('keeps a request once its root span ends, root first, and only the last `keep`', () => {
    const { store, request } = recorder(2);
    const first = request('GET /a');
    request('GET /b');
    const third = request('GET /c');
    expect(store.list().map((t) => t.name)).toEqual(['GET /c', 'GET /b']);
    expect(store.get(first)).toBeNull();
    const t = store.get(third)!;
    expect(t.spans.map((s) => [s.name, s.parent_id === null])).toEqual([
      ['GET /c', true],
      ['query', false],
    ]);
  });

  it('keeps sampled live traffic apart, so samples never push out the traces a learner asked for', () => {
    const { store, request } = recorder(2);
    const asked = request('POST /users');
    for (const n of [1, 2, 3]) request(`GET /sampled/${n}`, 'sampled');
    expect(store.get(asked)?.source).toBe('asked');
    expect(store.list('sampled').map((t) => t.name)).toEqual(['GET /sampled/3', 'GET /sampled/2']);
    expect(store.list('asked').map((t) => t.name)).toEqual(['POST /users']);
    expect(store.list()).toHaveLength(3);
  });

  it('hands a waiting caller the trace when it finishes, or null after the timeout', async () => {
    const { store, start } = recorder(5);
    expect(await store.waitFor('0'.repeat(32), 10)).toBeNull();
    const r = start('GET /d');
    const waited = store.waitFor(r.id, 5_000);
    expect(store.get(r.id)).toBeNull();
    r.end();
    expect((await waited)?.name).toBe('GET /d');
  });

  it('keeps a trace open past its root for a held span, and keeps it once the span has ended', () => {
    const { store, tracer } = recorder(5);
    const root = tracer.startSpan('POST /users', { kind: SpanKind.SERVER });
    const id = root.spanContext().traceId;
    const release = store.hold(id);
    const late = tracer.startSpan('replication to shard-0-replica', {}, trace.setSpan(ROOT_CONTEXT, root));
    root.end();
    expect(store.get(id)).toBeNull();
    late.end();
    release();
    release();
    expect(store.get(id)!.spans.map((x) => x.name)).toEqual(['POST /users', 'replication to shard-0-replica']);
    expect(store.list()).toHaveLength(1);
  });
});
