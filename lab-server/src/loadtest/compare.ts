import type { RunView } from './run.js';

export interface Comparison {
  a: RunView;
  b: RunView;
  /** Each headline number of both runs, with b relative to a (b / a; null when a is 0 or missing). */
  metrics: { name: string; a: number | null; b: number | null; ratio: number | null }[];
}

const HEADLINES: [string, (r: RunView) => number | null | undefined][] = [
  ['requests', (r) => r.summary?.requests],
  ['requests_per_s', (r) => r.summary?.requests_per_s],
  ['latency_ms.p50', (r) => r.summary?.latency_ms?.p50],
  ['latency_ms.p90', (r) => r.summary?.latency_ms?.p90],
  ['latency_ms.p95', (r) => r.summary?.latency_ms?.p95],
  ['latency_ms.p99', (r) => r.summary?.latency_ms?.p99],
  ['latency_ms.max', (r) => r.summary?.latency_ms?.max],
  ['errors', (r) => r.summary?.errors],
  ['error_rate', (r) => r.summary?.error_rate],
];

/** One headline number of a run (`requests_per_s`, `latency_ms.p99`, …); null when the run has none. */
export function headline(run: RunView, name: string): number | null {
  return HEADLINES.find(([n]) => n === name)?.[1](run) ?? null;
}

/** Two runs side by side (GET /lab/v1/loadtests/compare?a=&b=), e.g. before and after adding a shard. */
export function compareRuns(a: RunView, b: RunView): Comparison {
  const strip = ({ timeline: _t, ...rest }: RunView): RunView => rest;
  return {
    a: strip(a),
    b: strip(b),
    metrics: HEADLINES.map(([name, get]) => {
      const va = get(a) ?? null;
      const vb = get(b) ?? null;
      return { name, a: va, b: vb, ratio: va !== null && vb !== null && va !== 0 ? Math.round((vb / va) * 1000) / 1000 : null };
    }),
  };
}
