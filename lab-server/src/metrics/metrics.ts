import { EventEmitter } from 'node:events';
import type { Cluster } from '../cluster/cluster.js';
import { ApiRecorder, DURATION_BUCKETS_S, type ApiDelta } from './api-recorder.js';
import { LatencyHistogram } from './histogram.js';
import { ShardSampler, type ShardSample } from './shard-sampler.js';
import type { MetricsTick, ShardTick } from './types.js';

export const TICK_MS = 1_000;
/** Ten minutes of one-second ticks. */
const HISTORY = 600;

export type PoolStats = Record<string, { size: number; idle: number; waiting: number }>;

/** What a prefork worker sends every second: its requests since the last report and its pools. */
export interface WorkerReport {
  api: ApiDelta;
  pools: PoolStats;
}

interface RouteTotals {
  method: string;
  route: string;
  statuses: Map<number, number>;
  buckets: number[];
  sum_s: number;
}

export interface MetricsEvents {
  tick: [tick: MetricsTick];
}

/**
 * The lab's numbers, sampled every second: API throughput, latency and errors (this process's requests and,
 * under prefork, what the workers report), and per shard the statistics views and pool use. Keeps ten
 * minutes of ticks and the cumulative totals that /metrics exposes.
 */
export class Metrics extends EventEmitter<MetricsEvents> {
  readonly recorder = new ApiRecorder();
  private readonly history: MetricsTick[] = [];
  private readonly samplers = new Map<string, ShardSampler>();
  /** Deltas (own and workers') not yet in a tick; their routes are already in routeTotals. */
  private pending: ApiDelta[] = [];
  private readonly workerInFlight = new Map<number, number>();
  private readonly workerPools = new Map<number, PoolStats>();
  readonly routeTotals = new Map<string, RouteTotals>();
  shardTotals = new Map<string, ShardSample['totals']>();
  private timer: NodeJS.Timeout | null = null;
  private sampling = false;
  private lastAt = performance.now();

  constructor(
    private readonly cluster: Pick<Cluster, 'shards'>,
    /** How many processes serve /api/v1 (1 without prefork). */
    private readonly workers: () => number = () => 1,
  ) {
    super();
  }

  start(): void {
    this.timer ??= setInterval(() => void this.tick(), TICK_MS);
    this.timer.unref();
  }

  latest(): MetricsTick | null {
    return this.history.at(-1) ?? null;
  }

  recent(): MetricsTick[] {
    return [...this.history];
  }

  /** A worker's report; merged into the next tick. */
  addWorkerReport(worker: number, report: WorkerReport): void {
    this.addRoutes(report.api);
    this.pending.push(report.api);
    this.workerInFlight.set(worker, report.api.in_flight);
    this.workerPools.set(worker, report.pools);
  }

  workerGone(worker: number): void {
    this.workerInFlight.delete(worker);
    this.workerPools.delete(worker);
  }

  /** Builds one tick now (the timer calls this every second). Overlapping calls are skipped. */
  async tick(): Promise<MetricsTick | null> {
    if (this.sampling) return null;
    this.sampling = true;
    try {
      this.flush();
      const deltas = this.pending;
      this.pending = [];
      const shardSamples = await this.sampleShards();
      const now = performance.now();
      const seconds = Math.max((now - this.lastAt) / 1000, 0.001);
      this.lastAt = now;
      const latency = new LatencyHistogram();
      let requests = 0;
      let errors = 0;
      let clientErrors = 0;
      for (const d of deltas) {
        requests += d.api.requests;
        errors += d.api.errors;
        clientErrors += d.api.client_errors;
        latency.add(d.api.latency);
      }
      const per = (n: number) => Math.round((n / seconds) * 10) / 10;
      const tick: MetricsTick = {
        ts_ms: Date.now(),
        interval_ms: Math.round(seconds * 1000),
        api: {
          requests_per_s: per(requests),
          errors_per_s: per(errors),
          client_errors_per_s: per(clientErrors),
          in_flight: this.recorder.inFlight + [...this.workerInFlight.values()].reduce((a, b) => a + b, 0),
          latency_ms: latency.percentilesMs(),
          workers: this.workers(),
        },
        shards: shardSamples,
      };
      this.history.push(tick);
      if (this.history.length > HISTORY) this.history.shift();
      this.emit('tick', tick);
      return tick;
    } finally {
      this.sampling = false;
    }
  }

  /** Moves this process's recorded requests into the totals (and the next tick). */
  flush(): void {
    const d = this.recorder.drain();
    this.addRoutes(d);
    this.pending.push(d);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const s of this.samplers.values()) s.close();
    this.samplers.clear();
  }

  /** This process's pools, or — under prefork, where the workers hold the request pools — the workers' summed. */
  private pools(): PoolStats {
    const out: PoolStats = {};
    const add = (name: string, p: { size: number; idle: number; waiting: number }) => {
      const o = (out[name] ??= { size: 0, idle: 0, waiting: 0 });
      o.size += p.size;
      o.idle += p.idle;
      o.waiting += p.waiting;
    };
    if (this.workerPools.size > 0) {
      for (const pools of this.workerPools.values()) for (const [name, p] of Object.entries(pools)) add(name, p);
    } else {
      for (const s of this.cluster.shards) add(s.name, poolStats(s.pool));
    }
    return out;
  }

  private async sampleShards(): Promise<ShardTick[]> {
    const shards = this.cluster.shards;
    const live = new Set(shards.map((s) => s.url));
    for (const [url, sampler] of this.samplers) {
      if (!live.has(url)) {
        sampler.close();
        this.samplers.delete(url);
      }
    }
    const samples = await Promise.all(
      shards.map((s) => {
        let sampler = this.samplers.get(s.url);
        if (!sampler) this.samplers.set(s.url, (sampler = new ShardSampler(s.url)));
        return sampler.sample(s);
      }),
    );
    const pools = this.pools();
    this.shardTotals = new Map(samples.map((s) => [s.tick.name, s.totals]));
    return samples.map((s) => ({ ...s.tick, pool: pools[s.tick.name] ?? { size: 0, idle: 0, waiting: 0 } }));
  }

  private addRoutes(d: ApiDelta): void {
    for (const r of d.routes) {
      const key = `${r.method} ${r.route}`;
      let t = this.routeTotals.get(key);
      if (!t)
        this.routeTotals.set(
          key,
          (t = { method: r.method, route: r.route, statuses: new Map(), buckets: new Array<number>(DURATION_BUCKETS_S.length + 1).fill(0), sum_s: 0 }),
        );
      for (const [status, n] of r.statuses) t.statuses.set(status, (t.statuses.get(status) ?? 0) + n);
      r.buckets.forEach((n, i) => {
        t.buckets[i]! += n;
      });
      t.sum_s += r.sum_s;
    }
  }
}

export function poolStats(pool: { totalCount: number; idleCount: number; waitingCount: number }): { size: number; idle: number; waiting: number } {
  return { size: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
}
