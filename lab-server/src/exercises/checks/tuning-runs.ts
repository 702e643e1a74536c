import { replyError } from '../../net/self-client.js';
import type { ExerciseContext } from '../context.js';

/** The fields of a load-test run the tuning checks read. */
export interface TunedRun {
  id: string;
  state: string;
  scenario: string;
  started_at?: string | null;
  conditions?: Record<string, string>;
  marks?: { kind: string; label: string; t_s: number; around?: { before_rps: number; after_rps: number; ratio: number } }[];
  summary?: { requests: number; requests_per_s: number; errors: number; latency_ms?: { p95?: number } | null } | null;
}

/** The knob panel as the checks read it: name → value. */
export async function knobValues(ctx: ExerciseContext): Promise<Record<string, string>> {
  const r = await ctx.api.call<{ knobs: { name: string; value: string }[] }>('GET', '/lab/v1/tuning/knobs');
  if (r.status !== 200) throw replyError(r, 'Could not read the knob panel');
  return Object.fromEntries(r.body.knobs.map((k) => [k.name, k.value]));
}

/** Finished runs, newest first (of one scenario when named). */
export async function finishedRuns(ctx: ExerciseContext, scenario?: string): Promise<TunedRun[]> {
  const r = await ctx.api.call<{ runs: TunedRun[] }>('GET', '/lab/v1/loadtests?limit=100');
  if (r.status !== 200) throw replyError(r, 'Could not read the load-test history');
  return r.body.runs.filter((x) => x.state === 'finished' && x.summary && (!scenario || x.scenario === scenario));
}

/** The knobs two runs ran under that differ, as `name: a → b`. */
export function differences(a: TunedRun, b: TunedRun, ignore: readonly string[] = []): string[] {
  const names = new Set([...Object.keys(a.conditions ?? {}), ...Object.keys(b.conditions ?? {})]);
  return [...names]
    .filter((n) => !ignore.includes(n) && a.conditions?.[n] !== b.conditions?.[n])
    .map((n) => `${n}: ${a.conditions?.[n]} → ${b.conditions?.[n]}`);
}

/** b relative to a, as a signed percentage rounded to one decimal. */
export const changePct = (a: number, b: number): number => (a === 0 ? 0 : Math.round(((b - a) / a) * 1000) / 10);
