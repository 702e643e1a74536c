import type { Percentiles } from '../metrics/histogram.js';
import type { LoadSummary, PhasePlan, TickSample } from './protocol.js';
import type { Scenario } from './scenarios.js';

export type RunState = 'preparing' | 'running' | 'finished' | 'failed' | 'cancelled';

/** What a run was asked to do, after defaults: `connections` is the peak, `duration_s` the total. */
export interface RunParams {
  scenario: string;
  model: Scenario['model'];
  connections: number;
  duration_s: number;
  rate: number | null;
  phases: PhasePlan[];
  /** Seconds of uncounted reads before the measured phases (0: none). */
  warmup_s: number;
}

/** Live numbers while a run is preparing or running (null once it has ended: see `summary`). */
export interface RunProgress {
  elapsed_s: number;
  duration_s: number;
  phase: string | null;
  connections: number;
  requests: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  /** The last second. */
  requests_per_s: number;
  latency_ms: Percentiles | null;
}

export interface RunView {
  id: string;
  scenario: string;
  state: RunState;
  params: RunParams;
  /** Where the load went: always the lab's own loopback address. */
  target: string;
  /** What the engine did besides the load, e.g. seeding users so reads have ids that exist. */
  notes: string[];
  /** The load generator's process id while it runs. */
  pid: number | null;
  progress: RunProgress | null;
  summary: LoadSummary | null;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** The tuning knobs in force when the run started (name → value), so two runs can say what differed. */
  conditions: Record<string, string>;
  /** What happened to the cluster during the run (a knob changed, …), at the second of the timeline it happened. */
  marks: RunMark[];
  /** Per-second samples (only in GET /lab/v1/loadtests/:id). */
  timeline?: TickSample[];
}

/** An event during a run, for the chart to draw at `t_s` (the timeline's clock). */
export interface RunMark {
  t_s: number;
  /** What kind of event: `knob` for now; reshard phases, kills and promotions can use the same list. */
  kind: string;
  label: string;
  /** For a change that took a while (replacing the workers): the second it was done. */
  until_s?: number;
  /** Once the run ended: its throughput before the event and after it, measured in the same run. */
  around?: MarkAround;
}

/** Requests per second over the seconds before an event and those after it was done (the second after is left out: the change settles). */
export interface MarkAround {
  before_s: number;
  before_rps: number;
  after_s: number;
  after_rps: number;
  /** after ÷ before. */
  ratio: number;
}

/** The run's throughput on either side of a mark, from its per-second samples; null when a side has no full second. */
export function aroundMark(timeline: readonly TickSample[], mark: Pick<RunMark, 't_s' | 'until_s'>): MarkAround | null {
  const before = timeline.filter((x) => x.t_s <= mark.t_s);
  const after = timeline.filter((x) => x.t_s > (mark.until_s ?? mark.t_s) + 1);
  if (before.length === 0 || after.length === 0) return null;
  const mean = (xs: readonly TickSample[]) => xs.reduce((sum, x) => sum + x.requests_per_s, 0) / xs.length;
  const round = (n: number) => Math.round(n * 10) / 10;
  const b = mean(before);
  const a = mean(after);
  return { before_s: before.length, before_rps: round(b), after_s: after.length, after_rps: round(a), ratio: b > 0 ? Math.round((a / b) * 100) / 100 : 0 };
}

export interface RunRequest {
  scenario: Scenario;
  connections?: number | undefined;
  duration_s?: number | undefined;
  rate?: number | undefined;
  warmup_s?: number | undefined;
  /**
   * false: never seed users first, even when there are almost none. For a caller that is itself a job and has
   * seeded already: the seed job would wait for it to end, and it waits for the run.
   */
  seed?: boolean | undefined;
}

export const DEFAULT_WARMUP_S = 2;

/** The scenario's phases in absolute numbers: connections scale with the peak, seconds with the total. */
export function planRun(req: RunRequest): RunParams {
  const s = req.scenario;
  const connections = req.connections ?? s.connections;
  const duration_s = req.duration_s ?? s.duration_s;
  const rate = req.rate ?? s.rate;
  let left = duration_s;
  const phases = s.phases.map((p, i): PhasePlan => {
    const seconds = i === s.phases.length - 1 ? left : Math.max(1, Math.round(duration_s * p.duration));
    left -= seconds;
    const c = Math.max(1, Math.round(connections * p.connections));
    return { label: p.label, connections: c, duration_s: Math.max(1, seconds), rate: rate === null ? null : Math.max(1, Math.round(rate * p.connections)) };
  });
  return { scenario: s.name, model: rate === null ? 'closed' : 'rate', connections, duration_s, rate, phases, warmup_s: req.warmup_s ?? DEFAULT_WARMUP_S };
}
