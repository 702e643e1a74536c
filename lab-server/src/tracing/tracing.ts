import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags, type Attributes, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type http from 'node:http';
import { withCurrentRequest } from './current-request.js';
import { SOURCE_ATTRIBUTE, TraceStore, type TraceSource } from './store.js';

/** How many finished traces each process keeps of each source (the API lists them newest first). */
export const TRACES_KEPT = 100;

/** This process's traces. */
export const traceStore = new TraceStore(TRACES_KEPT);

let installed = false;

/**
 * Where else traces go: with OpenTelemetry's standard `OTEL_EXPORTER_OTLP_ENDPOINT` (or `…_TRACES_ENDPOINT`)
 * set, every traced request is also sent, batched, to that collector over OTLP/HTTP (the exporter reads the
 * standard OTEL_EXPORTER_OTLP_* variables itself: headers, timeout, protocol). None otherwise.
 */
export function collectorProcessors(env: NodeJS.ProcessEnv = process.env): SpanProcessor[] {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT && !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return [];
  return [new BatchSpanProcessor(new OTLPTraceExporter())];
}

/**
 * Registers OpenTelemetry's global tracer provider (with the lab's store as its span processor, plus any
 * `extra` ones, e.g. an exporter to a collector), the AsyncLocalStorage context manager that carries the
 * current span across awaits, and the W3C `traceparent` propagator. Idempotent: the first call wins.
 */
export function installTracing(extra: SpanProcessor[] = collectorProcessors()): void {
  if (installed) return;
  installed = true;
  const provider = new BasicTracerProvider({ spanProcessors: [traceStore, ...extra] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
}

const tracer = () => trace.getTracer('shard-lab');

/**
 * The SDK stamps a span's start with Date.now() (whole milliseconds) unless given a time, which would put a
 * 0.2 ms query anywhere in its millisecond: spans get the monotonic clock's time instead, at both ends.
 */
const now = (): number => performance.timeOrigin + performance.now();

/** Ends a span at the monotonic clock's time (see `now`). */
export const endSpan = (span: Span): void => span.end(now());

/** Whether the code running now belongs to a traced request; when not, the helpers below do nothing else. */
export const tracing = (): boolean => trace.getActiveSpan() !== undefined;

function fail(span: Span, err: unknown): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
}

/** Ends the span with its result, after `after` has added what the result tells (a throw there fails the span). */
function settle<T>(span: Span, result: T, after: ((result: T, span: Span) => void) | undefined): T {
  after?.(result, span);
  endSpan(span);
  return result;
}

/** Ends the span marked failed, and throws on. */
function failed(span: Span, err: unknown): never {
  fail(span, err);
  endSpan(span);
  throw err;
}

/**
 * Runs `fn` as a child span of the current traced request (its own children nest under it); outside a traced
 * request it just runs `fn`, so an untraced request pays one context lookup.
 */
export async function inSpan<T>(name: string, attributes: Attributes, fn: () => Promise<T>, after?: (result: T, span: Span) => void): Promise<T> {
  if (!tracing()) return fn();
  const span = startSpan(name, attributes);
  try {
    return settle(span, await context.with(trace.setSpan(context.active(), span), fn), after);
  } catch (err) {
    return failed(span, err);
  }
}

/**
 * `inSpan` for synchronous work (minting an id, a ring lookup): no promise on a path every request takes.
 * `after` adds what the result tells.
 */
export function inSpanSync<T>(name: string, fn: () => T, after?: (result: T, span: Span) => void): T {
  if (!tracing()) return fn();
  const span = startSpan(name);
  try {
    return settle(span, fn(), after);
  } catch (err) {
    return failed(span, err);
  }
}

/** A child span the caller ends itself (pool wait, the query: they are not one callback). */
export function startSpan(name: string, attributes: Attributes = {}): Span {
  return tracer().startSpan(name, { attributes, startTime: now() });
}

export { fail as failSpan };

/**
 * A child span of the current traced request that may end after the response (replication to a replica):
 * the lab keeps the trace open until it ends. `work` runs outside the trace, so its own queries are not
 * drawn as the request's; the span ends when it settles. Outside a traced request: nothing.
 */
export function lateSpan(name: string, attributes: Attributes, work: (span: Span) => Promise<void>): void {
  const parent = trace.getActiveSpan();
  if (!parent) return;
  const release = traceStore.hold(parent.spanContext().traceId);
  const span = tracer().startSpan(name, { attributes, startTime: now() });
  void context
    .with(ROOT_CONTEXT, () => work(span))
    .catch((err: unknown) => fail(span, err))
    .finally(() => {
      endSpan(span);
      release();
    });
}

/** The share of live messenger requests without a `traceparent` this process traces (0 to 1; 0: none). */
let liveFraction = 0;

/** Samples `percent` % of live messenger traffic (`/api/…` requests that did not ask for a trace); 0 stops. */
export function sampleLiveTraffic(percent: number): void {
  liveFraction = Math.min(Math.max(percent, 0), 100) / 100;
}

/**
 * Traces a request that asks for it: a `traceparent` header (W3C Trace Context) with the sampled flag — or,
 * while live sampling is on, a share of the messenger requests without the header, drawn at random. Its root
 * span covers arrival to the last byte handed to the socket; a `response` child starts when the headers are
 * written. Any other request goes straight to `listener`, after one header check and one comparison.
 */
export function traceRequests(listener: http.RequestListener): http.RequestListener {
  installTracing();
  const traced = tracedListener(listener);
  return (req, res) => withCurrentRequest(req, () => traced(req, res));
}

/** The part of `traceRequests` that decides whether to trace and records the spans. */
function tracedListener(listener: http.RequestListener): http.RequestListener {
  return (req, res) => {
    let parent = ROOT_CONTEXT;
    let source: TraceSource = 'asked';
    if (req.headers.traceparent === undefined) {
      if (liveFraction === 0 || !req.url?.startsWith('/api/') || Math.random() >= liveFraction) return listener(req, res);
      source = 'sampled';
    } else {
      parent = propagation.extract(ROOT_CONTEXT, req.headers);
      const remote = trace.getSpanContext(parent);
      if (!remote || (remote.traceFlags & TraceFlags.SAMPLED) === 0) return listener(req, res);
    }
    const [path = '/', query] = (req.url ?? '/').split('?', 2);
    const root = tracer().startSpan(
      `${req.method} ${path}`,
      {
        kind: SpanKind.SERVER,
        startTime: now(),
        attributes: {
          'http.request.method': req.method ?? '',
          'url.path': path,
          ...(query ? { 'url.query': query } : {}),
          [SOURCE_ATTRIBUTE]: source,
          // Which API process served it: the main one, or one of the prefork workers.
          'process.pid': process.pid,
        },
      },
      parent,
    );
    const active = trace.setSpan(parent, root);
    let response: Span | null = null;
    const writeHead = res.writeHead;
    res.writeHead = function (this: http.ServerResponse, ...args: unknown[]) {
      response ??= tracer().startSpan('response', { startTime: now(), attributes: { 'http.response.status_code': res.statusCode } }, active);
      return (writeHead as (...a: unknown[]) => http.ServerResponse).apply(this, args);
    } as typeof res.writeHead;
    res.once('close', () => {
      const status = res.writableFinished ? res.statusCode : 499;
      response?.setAttribute('http.response.status_code', status);
      if (response) endSpan(response);
      root.setAttribute('http.response.status_code', status);
      const shard = res.getHeader('x-lab-shard');
      if (typeof shard === 'string') root.setAttribute('lab.shard', shard);
      if (status >= 500) root.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${status}` });
      endSpan(root);
    });
    context.with(active, () => listener(req, res));
  };
}

/** The `traceparent` header that asks the lab to trace a request under `traceId`. */
export function traceparent(traceId: string, spanId: string): string {
  return `00-${traceId}-${spanId}-01`;
}
