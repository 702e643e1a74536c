import { SpanKind, SpanStatusCode, type Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { latencyBreakdown } from './breakdown.js';

/** One span as the lab's API shows it: times in milliseconds from the start of its trace. */
export interface SpanView {
  span_id: string;
  parent_id: string | null;
  name: string;
  start_ms: number;
  duration_ms: number;
  status: 'ok' | 'error';
  error: string | null;
  attributes: Record<string, string | number | boolean>;
}

/** Where a kept trace came from: a request that asked (a sampled `traceparent`), or live traffic the lab sampled. */
export type TraceSource = 'asked' | 'sampled';

/** The root span's attribute that records a trace's `TraceSource`. */
export const SOURCE_ATTRIBUTE = 'lab.trace.source';

/** A finished request: its root span (the HTTP request) and everything it did, in start order. */
export interface TraceView {
  trace_id: string;
  source: TraceSource;
  name: string;
  started_at: string;
  duration_ms: number;
  status_code: number | null;
  spans: SpanView[];
}

const ms = ([s, ns]: readonly [number, number]) => s * 1e3 + ns / 1e6;
const round = (n: number) => Math.round(n * 1000) / 1000;

/** Keeps only attribute values the API's schema allows (arrays are not used by the lab's spans). */
function plainAttributes(span: ReadableSpan): SpanView['attributes'] {
  const out: SpanView['attributes'] = {};
  for (const [k, v] of Object.entries(span.attributes)) if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
  return out;
}

/** Parents before their children, siblings by start time: the order a waterfall draws them. */
function treeOrder(root: ReadableSpan, spans: readonly ReadableSpan[]): ReadableSpan[] {
  const children = new Map<string, ReadableSpan[]>();
  for (const s of spans) {
    if (s === root || !s.parentSpanContext) continue;
    const list = children.get(s.parentSpanContext.spanId) ?? [];
    list.push(s);
    children.set(s.parentSpanContext.spanId, list);
  }
  const out: ReadableSpan[] = [];
  const visit = (s: ReadableSpan) => {
    out.push(s);
    for (const c of (children.get(s.spanContext().spanId) ?? []).sort((a, b) => ms(a.startTime) - ms(b.startTime))) visit(c);
  };
  visit(root);
  return out;
}

/** The spans of one trace as the API shows them; the root is the span whose parent is not in this process. */
export function toTraceView(spans: readonly ReadableSpan[]): TraceView | null {
  const ids = new Set(spans.map((s) => s.spanContext().spanId));
  const root = spans.find((s) => !s.parentSpanContext || !ids.has(s.parentSpanContext.spanId));
  if (!root) return null;
  const t0 = ms(root.startTime);
  const view = (s: ReadableSpan): SpanView => ({
    span_id: s.spanContext().spanId,
    parent_id: s === root ? null : (s.parentSpanContext?.spanId ?? null),
    name: s.name,
    start_ms: round(ms(s.startTime) - t0),
    duration_ms: round(ms(s.duration)),
    status: s.status.code === SpanStatusCode.ERROR ? 'error' : 'ok',
    error: s.status.code === SpanStatusCode.ERROR ? (s.status.message ?? 'error') : null,
    attributes: plainAttributes(s),
  });
  const status = root.attributes['http.response.status_code'];
  return {
    trace_id: root.spanContext().traceId,
    source: root.attributes[SOURCE_ATTRIBUTE] === 'sampled' ? 'sampled' : 'asked',
    name: root.name,
    started_at: new Date(t0).toISOString(),
    duration_ms: round(ms(root.duration)),
    status_code: typeof status === 'number' ? status : null,
    spans: treeOrder(root, spans).map(view),
  };
}

/**
 * The last `keep` traced requests of this process of each source, as an OpenTelemetry span processor: spans
 * gather by trace until the request's root span ends, and the trace then becomes one entry. Sampled live
 * traffic has its own `keep`, so a load test's samples never push out the traces a learner asked for.
 * Another processor (an exporter to a collector) can sit beside it on the same provider.
 */
export class TraceStore implements SpanProcessor {
  private readonly open = new Map<string, ReadableSpan[]>();
  private readonly done: Record<TraceSource, TraceView[]> = { asked: [], sampled: [] };
  private readonly waiting = new Map<string, ((t: TraceView) => void)[]>();
  /** Spans still measuring after the response (replication to a replica): their trace waits for them. */
  private readonly holds = new Map<string, number>();
  /** Traces whose root has ended but that wait for a held span. */
  private readonly parked = new Map<string, ReadableSpan[]>();

  constructor(readonly keep: number) {}

  /** Set in a prefork worker: each finished trace is also handed to the primary, which keeps the lab's list. */
  onFinished: ((view: TraceView) => void) | null = null;

  onStart(_span: Span, _parent: Context): void {}

  /**
   * Keeps a trace open past its root for a span that ends later (replication to a replica, measured after
   * the response); the answer releases it. A trace is kept once every hold is released.
   */
  hold(traceId: string): () => void {
    this.holds.set(traceId, (this.holds.get(traceId) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = this.holds.get(traceId)! - 1;
      if (left > 0) return void this.holds.set(traceId, left);
      this.holds.delete(traceId);
      const spans = this.parked.get(traceId);
      this.parked.delete(traceId);
      if (spans) this.finish(spans);
    };
  }

  onEnd(span: ReadableSpan): void {
    const id = span.spanContext().traceId;
    const parked = this.parked.get(id);
    if (parked) return void parked.push(span);
    const spans = this.open.get(id) ?? [];
    spans.push(span);
    // The root of a request is the server span; the spans it started ended before it.
    if (span.kind !== SpanKind.SERVER) {
      // A root that never ends (a dropped connection) must not keep its spans forever.
      if (!this.open.has(id) && this.open.size >= this.keep * 4) this.open.delete(this.open.keys().next().value!);
      this.open.set(id, spans);
      return;
    }
    this.open.delete(id);
    if (this.holds.has(id)) return void this.parked.set(id, spans);
    this.finish(spans);
  }

  private finish(spans: ReadableSpan[]): void {
    const view = toTraceView(spans);
    if (!view) return;
    this.add(view);
    this.onFinished?.(view);
  }

  /** A finished trace (this process's, or one a prefork worker sent). */
  add(view: TraceView): void {
    latencyBreakdown.record(view);
    const kept = this.done[view.source];
    kept.push(view);
    if (kept.length > this.keep) kept.shift();
    for (const resolve of this.waiting.get(view.trace_id) ?? []) resolve(view);
    this.waiting.delete(view.trace_id);
  }

  /** Newest first (by start), of one source or both. */
  list(source?: TraceSource): TraceView[] {
    const all = source ? this.done[source] : [...this.done.asked, ...this.done.sampled];
    // Reversed first: the sort is stable, so requests that started in the same millisecond stay newest first.
    return [...all].reverse().sort((a, b) => b.started_at.localeCompare(a.started_at));
  }

  get(traceId: string): TraceView | null {
    return this.done.asked.find((t) => t.trace_id === traceId) ?? this.done.sampled.find((t) => t.trace_id === traceId) ?? null;
  }

  /** The trace once its root span has ended, or null after `timeoutMs`. */
  waitFor(traceId: string, timeoutMs: number): Promise<TraceView | null> {
    const found = this.get(traceId);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.set(
          traceId,
          (this.waiting.get(traceId) ?? []).filter((r) => r !== done),
        );
        resolve(null);
      }, timeoutMs);
      const done = (t: TraceView) => {
        clearTimeout(timer);
        resolve(t);
      };
      this.waiting.set(traceId, [...(this.waiting.get(traceId) ?? []), done]);
    });
  }

  clear(): void {
    this.done.asked.length = 0;
    this.done.sampled.length = 0;
    this.open.clear();
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
