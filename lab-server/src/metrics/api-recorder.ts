import { LatencyHistogram, type HistogramData } from './histogram.js';

/** Upper bounds (seconds) of the Prometheus request-duration histogram. */
export const DURATION_BUCKETS_S = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

/** Counts of one route (method + pattern) since the last drain. */
export class RouteStats {
  /** status code → responses */
  statuses = new Map<number, number>();
  /** per DURATION_BUCKETS_S bucket, plus one for +Inf; not cumulative */
  buckets = new Float64Array(DURATION_BUCKETS_S.length + 1);
  sumS = 0;

  constructor(
    readonly method: string,
    readonly route: string,
  ) {}

  record(status: number, seconds: number): void {
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
    let i = 0;
    while (i < DURATION_BUCKETS_S.length && seconds > DURATION_BUCKETS_S[i]!) i++;
    this.buckets[i]!++;
    this.sumS += seconds;
  }
}

/** What one process recorded since its last drain: shipped to the primary under prefork, merged there. */
export interface ApiDelta {
  in_flight: number;
  api: { requests: number; errors: number; client_errors: number; latency: HistogramData };
  routes: { method: string; route: string; statuses: [number, number][]; buckets: number[]; sum_s: number }[];
}

/**
 * Records every HTTP request of this process: per route for Prometheus, and for the messenger API
 * (`/api/…`) the per-second numbers of the metrics tick. Cheap on purpose — it sits on the hot path.
 */
export class ApiRecorder {
  inFlight = 0;
  private requests = 0;
  private errors = 0;
  private clientErrors = 0;
  private readonly latency = new LatencyHistogram();
  private routes = new Map<string, RouteStats>();

  /** A route's stats object, for callers that record the same route over and over (the fast path). */
  route(method: string, route: string): RouteStats {
    const key = `${method} ${route}`;
    let stats = this.routes.get(key);
    if (!stats) {
      stats = new RouteStats(method, route);
      this.routes.set(key, stats);
    }
    return stats;
  }

  /** `api`: the request was for the messenger API and counts in the tick's api numbers. */
  record(stats: RouteStats, status: number, ms: number, api: boolean): void {
    stats.record(status, ms / 1000);
    if (!api) return;
    this.requests++;
    if (status >= 500) this.errors++;
    else if (status >= 400) this.clientErrors++;
    this.latency.recordMs(ms);
  }

  /** Everything since the last drain; the counters start again from zero. */
  drain(): ApiDelta {
    const routes = [...this.routes.values()]
      .filter((r) => r.statuses.size > 0)
      .map((r) => ({ method: r.method, route: r.route, statuses: [...r.statuses], buckets: [...r.buckets], sum_s: r.sumS }));
    for (const r of this.routes.values()) {
      r.statuses.clear();
      r.buckets.fill(0);
      r.sumS = 0;
    }
    const delta: ApiDelta = {
      in_flight: this.inFlight,
      api: { requests: this.requests, errors: this.errors, client_errors: this.clientErrors, latency: this.latency.toData() },
      routes,
    };
    this.requests = 0;
    this.errors = 0;
    this.clientErrors = 0;
    this.latency.reset();
    return delta;
  }
}
