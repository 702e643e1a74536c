import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { TraceStore } from './store.js';

/** Real spans from the SDK (a provider of its own, not the lab's global one) into a store that keeps `keep`. */
function recorder(keep: number) {
  const store = new TraceStore(keep);
  const tracer = new BasicTracerProvider({ spanProcessors: [store] }).getTracer('test');
  /** Starts a request (a server span with one child); `end` finishes it. */
  const start = (name: string) => {
    const root = tracer.startSpan(name, { kind: SpanKind.SERVER });
    const child = tracer.startSpan('query', {}, trace.setSpan(ROOT_CONTEXT, root));
    return {
      id: root.spanContext().traceId,
      end: () => {
        child.end();
        root.end();
      },
    };
  };
  const request = (name: string) => {
    const r = start(name);
    r.end();
    return r.id;
  };
  return { store, start, request };
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

  it('hands a waiting caller the trace when it finishes, or null after the timeout', async () => {
    const { store, start } = recorder(5);
    expect(await store.waitFor('0'.repeat(32), 10)).toBeNull();
    const r = start('GET /d');
    const waited = store.waitFor(r.id, 5_000);
    expect(store.get(r.id)).toBeNull();
    r.end();
    expect((await waited)?.name).toBe('GET /d');
  });
});
