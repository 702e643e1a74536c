import type { SpanView, TraceView } from './store.js';

/** The parts a request's time splits into, each measured from the request's own spans. */
export const PARTS = ['total', 'pool_wait', 'query', 'server', 'serialise', 'response'] as const;
export type Part = (typeof PARTS)[number];

/** Samples kept per endpoint: enough for stable percentiles, bounded for a long load test. */
const KEEP = 2000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `GET /api/v1/users/0190…` → `GET /api/v1/users/:id`: one row per route, not per user. */
export function endpointOf(name: string): string {
  const [method = '', path = ''] = name.split(' ', 2);
  return `${method} ${path
    .split('/')
    .map((seg) => (UUID.test(seg) || /^\d+$/.test(seg) ? ':id' : seg))
    .join('/')}`;
}

/** Milliseconds covered by at least one of the spans (parallel queries on several shards count once). */
function covered(spans: readonly SpanView[]): number {
  const iv = spans.map((s) => [s.start_ms, s.start_ms + s.duration_ms] as const).sort((a, b) => a[0] - b[0]);
  let total = 0;
  let end = Number.NEGATIVE_INFINITY;
  for (const [s, e] of iv) {
    if (e <= end) continue;
    total += e - Math.max(s, end);
    end = e;
  }
  return total;
}

/**
 * One request's time in parts: waiting for a pool connection, queries in flight, turning the reply into JSON
 * text, the response being written (status line to last byte), and the rest — the server's own work
 * (routing, validation, the handler's code) — as the total minus the time covered by the others.
 */
export function splitTrace(t: TraceView): Record<Part, number> {
  const named = (n: string) => t.spans.filter((s) => s.name === n);
  const pool = named('pool wait');
  const query = named('query');
  const serialise = named('serialise JSON');
  const response = named('response');
  return {
    total: t.duration_ms,
    pool_wait: covered(pool),
    query: covered(query),
    serialise: covered(serialise),
    response: covered(response),
    server: Math.max(0, t.duration_ms - covered([...pool, ...query, ...serialise, ...response])),
  };
}

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
const round = (n: number) => Math.round(n * 1000) / 1000;

export interface EndpointBreakdown {
  endpoint: string;
  requests: number;
  parts: Record<Part, { p50: number; p95: number; mean: number }>;
}

/**
 * Where the time goes, per endpoint: every traced `/api/` request (asked for, or sampled from live traffic by
 * any API process) split into its parts, aggregated since the last reset.
 */
export class LatencyBreakdown {
  private readonly samples = new Map<string, Record<Part, number>[]>();
  private counts = new Map<string, number>();
  since = new Date().toISOString();

  record(t: TraceView): void {
    if (!t.name.includes(' /api/')) return;
    const key = endpointOf(t.name);
    const list = this.samples.get(key) ?? [];
    list.push(splitTrace(t));
    if (list.length > KEEP) list.shift();
    this.samples.set(key, list);
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  /** Busiest endpoint first; percentiles over the last samples kept of each. */
  view(): EndpointBreakdown[] {
    return [...this.samples.entries()]
      .map(([endpoint, list]) => {
        const parts = Object.fromEntries(
          PARTS.map((p) => {
            const xs = list.map((x) => x[p]).sort((a, b) => a - b);
            return [p, { p50: round(percentile(xs, 50)), p95: round(percentile(xs, 95)), mean: round(xs.reduce((a, b) => a + b, 0) / xs.length) }];
          }),
        ) as EndpointBreakdown['parts'];
        return { endpoint, requests: this.counts.get(endpoint) ?? list.length, parts };
      })
      .sort((a, b) => b.requests - a.requests || a.endpoint.localeCompare(b.endpoint));
  }

  reset(): void {
    this.samples.clear();
    this.counts = new Map();
    this.since = new Date().toISOString();
  }
}

/** The lab's one breakdown, fed by the trace store with every finished trace of every API process. */
export const latencyBreakdown = new LatencyBreakdown();
