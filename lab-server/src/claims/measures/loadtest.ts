import { z } from 'zod';
import type { CpuSplit } from '../../contracts/loadtests.js';
import { runLoadTest, type LoadTestView } from '../../exercises/actions/loadtest.js';
import { StepFailed } from '../../exercises/action-kind.js';
import { fmt } from '../../exercises/checks/format.js';
import { findScenario, SCENARIOS } from '../../loadtest/scenarios.js';
import type { Measurement, MeasureKind } from '../measure-kind.js';
import { measureSchema } from './spec.js';

const spec = measureSchema('loadtest', {
  scenario: z.enum(SCENARIOS.map((s) => s.name) as [string, ...string[]]),
  claimed_rps: z.number().positive().optional(),
  claimed_p95_ms: z.number().positive().optional(),
  claimed_success_percent: z.number().min(0).max(100).optional(),
  /** Requests per second over all connections instead of the scenario's pace (scenario 4: 10,000 users at 1 request/s each). */
  rate: z.number().int().positive().optional(),
});
type Spec = z.output<typeof spec>;

/** Milliseconds as the claims print them: two decimals below 10 ms, whole above. */
export const ms = (n: number | undefined) => (n === undefined ? '?' : n < 10 ? n.toFixed(2) : fmt(Math.round(n)));

/** The share of requests that succeeded, in percent (0 for a run without requests). */
export const successPercent = (s: NonNullable<LoadTestView['summary']>) => (s.requests ? Math.max(0, 1 - (s.errors ?? 0) / s.requests) * 100 : 0);

/** The run's CPU split in one sentence: cores per part against what each can use, and the limit. */
export function cpuSentence(c: CpuSplit): string {
  const parts = c.parts.map(
    (p) => `${p.part === 'other' ? 'other programs' : p.part} ${p.cores.toFixed(2)}${p.part === 'other' ? '' : ` of ${p.capacity_cores}`}`,
  );
  return `CPU (cores busy, of ${c.machine_cores}): ${parts.join(', ')}; limit: ${c.limit}.`;
}

export function judgeLoadTest(s: Spec, run: LoadTestView): Measurement {
  const sum = run.summary ?? {};
  const success = successPercent(sum);
  const rps = sum.requests_per_s ?? 0;
  const p95 = sum.latency_ms?.p95;
  const measured = `${s.scenario}: ${fmt(sum.requests ?? 0)} requests, ${fmt(Math.round(rps))} req/s, p50 ${ms(sum.latency_ms?.p50)} ms, p95 ${ms(p95)} ms, p99 ${ms(sum.latency_ms?.p99)} ms, ${success.toFixed(2)} % success (${fmt(run.params?.connections ?? 0)} connections, ${fmt(run.params?.duration_s ?? 0)} s).${run.state === 'failed' ? ` The run failed (${run.error ?? 'no reason given'}): these are its numbers until then.` : ''}${sum.cpu ? ` ${cpuSentence(sum.cpu)}` : ''}`;
  const parts: { ok: boolean; text: string }[] = [];
  if (s.claimed_rps !== undefined) parts.push({ ok: rps >= s.claimed_rps, text: `${fmt(Math.round(rps))} req/s against ${fmt(s.claimed_rps)} claimed` });
  if (s.claimed_p95_ms !== undefined && p95 !== undefined)
    parts.push({ ok: p95 <= s.claimed_p95_ms, text: `p95 ${ms(p95)} ms against ${ms(s.claimed_p95_ms)} ms claimed` });
  if (s.claimed_success_percent !== undefined)
    parts.push({ ok: success >= s.claimed_success_percent, text: `${success.toFixed(2)} % success against ${s.claimed_success_percent} % claimed` });
  if (!parts.length) return { measured, verdict: 'unsettled', why: 'The claim names no number this run can be compared with.' };
  return { measured, verdict: parts.every((p) => p.ok) ? 'holds' : 'fails', why: `${parts.map((p) => p.text).join('; ')}.` };
}

/** Runs one of the lab's load-test scenarios against the cluster and compares its headline numbers with the claim. */
export const loadtest: MeasureKind<Spec> = {
  kind: 'loadtest',
  spec,
  runs: (s) => {
    const sc = findScenario(s.scenario)!;
    return `Runs the ${sc.title.toLowerCase()} load test: up to ${fmt(sc.connections)} connections for ${sc.duration_s} s${s.rate ? ` at ${fmt(s.rate)} requests/s in all` : ''} against your cluster (stop it from the load-test panel), and measures the CPU each part used.`;
  },
  measure: async (s, ctx) => {
    // A run killed at its hard limit is a measurement too: what it served until then, and where the CPU went.
    const run = await runLoadTest(ctx, s.scenario, undefined, undefined, { rate: s.rate, keepFailed: true });
    if (!run.summary) throw new StepFailed(`Load test ${run.id} finished without a summary.`);
    return judgeLoadTest(s, run);
  },
};
