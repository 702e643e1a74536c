import type { CpuSplit } from '../contracts/loadtests.js';
import type { Percentiles } from '../metrics/histogram.js';
import type { OpSummary } from './mix.js';
import type { RunData } from './ops.js';
import type { Flow } from './scenarios.js';

/** One stretch of a run as the load generator executes it: absolute connections, seconds and rate. */
export interface PhasePlan {
  label: string;
  connections: number;
  duration_s: number;
  rate: number | null;
}

/** One second of a run, as measured by the load generator. */
export interface TickSample {
  t_s: number;
  phase: string;
  connections: number;
  requests_per_s: number;
  errors_per_s: number;
  latency_ms: Percentiles | null;
}

export interface Totals {
  requests: number;
  errors: number;
  timeouts: number;
  socket_errors: number;
  non2xx: number;
}

/**
 * A run's result. `errors` counts every request that did not get its expected status (see the scenario's
 * ops), plus timeouts and socket errors; `non2xx` and `status_codes` are the raw HTTP view.
 */
export interface LoadSummary extends Totals {
  duration_s: number;
  requests_per_s: number;
  latency_ms: Percentiles | null;
  error_rate: number;
  status_codes: Record<string, number>;
  ops: Record<string, OpSummary>;
  stopped_early: boolean;
  /** CPU per part of the system while the run was measured (added by the engine, which knows the processes). */
  cpu?: CpuSplit | null;
}

export type ParentMessage = { type: 'start'; url: string; flows: Flow[]; phases: PhasePlan[]; warmup_s: number; data: RunData };

export type ChildMessage =
  | { type: 'tick'; sample: TickSample; totals: Totals }
  | { type: 'warmup'; seconds: number; requests: number; errors: number }
  | { type: 'done'; summary: LoadSummary }
  | { type: 'failed'; message: string };
