import { z } from 'zod';
import { runLoadTest, type LoadTestView } from '../../exercises/actions/loadtest.js';
import { failUnlessOk } from '../../exercises/actions/lab-api.js';
import { fmt } from '../../exercises/checks/format.js';
import { SCENARIOS } from '../../loadtest/scenarios.js';
import type { Measurement, MeasureKind } from '../measure-kind.js';
import { ms, successPercent } from './loadtest.js';
import { measureSchema } from './spec.js';

const spec = measureSchema('ab', {
  scenario: z.enum(SCENARIOS.map((s) => s.name) as [string, ...string[]]),
  knob: z.string().min(1),
  before: z.string(),
  after: z.string(),
  duration_s: z.number().int().min(1).max(600),
  /** The gain the original claims, as after ÷ before in req/s: it holds when the measured ratio reaches `min`. */
  claimed_ratio: z.strictObject({ min: z.number().positive(), max: z.number().positive().optional() }).optional(),
  /** The success rate the original claims for "after". */
  claimed_success_percent: z.number().min(0).max(100).optional(),
});
type Spec = z.output<typeof spec>;
type Summary = NonNullable<LoadTestView['summary']>;

const claimedRange = (r: NonNullable<Spec['claimed_ratio']>) => (r.max ? `${r.min}–${r.max}×` : `at least ${r.min}×`);

export function judgeAb(s: Spec, a: Summary, b: Summary): Measurement {
  const one = (v: string, x: Summary) =>
    `${s.knob} ${v}: ${fmt(Math.round(x.requests_per_s ?? 0))} req/s, ${successPercent(x).toFixed(2)} % success, p99 ${ms(x.latency_ms?.p99)} ms`;
  const ratio = (a.requests_per_s ?? 0) > 0 ? (b.requests_per_s ?? 0) / a.requests_per_s! : null;
  const measured = `${s.scenario}, ${s.duration_s} s each — ${one(s.before, a)}; ${one(s.after, b)}. After ÷ before: ${ratio === null ? '–' : `${ratio.toFixed(2)}×`} req/s.`;
  const parts: { ok: boolean; text: string }[] = [];
  if (s.claimed_ratio && ratio !== null)
    parts.push({ ok: ratio >= s.claimed_ratio.min, text: `${ratio.toFixed(2)}× against ${claimedRange(s.claimed_ratio)} claimed` });
  if (s.claimed_success_percent !== undefined)
    parts.push({
      ok: successPercent(b) >= s.claimed_success_percent,
      text: `${successPercent(b).toFixed(2)} % success after, against ${s.claimed_success_percent} % claimed`,
    });
  if (!parts.length) return { measured, verdict: 'unsettled', why: 'The claim names no number these runs can be compared with.' };
  return {
    measured,
    verdict: parts.every((p) => p.ok) ? 'holds' : 'fails',
    why: `${parts.map((p) => p.text).join('; ')}. Two runs on a shared machine differ by themselves: run it again before trusting a small difference.`,
  };
}

/** The same scenario twice, once with the knob at `before` and once at `after`; the knob is put back as it was. */
export const ab: MeasureKind<Spec> = {
  kind: 'ab',
  spec,
  runs: (s) =>
    `Runs the ${s.scenario} load test twice, ${s.duration_s} s each, with ${s.knob} at ${s.before} and then at ${s.after}, and puts ${s.knob} back as it was.`,
  measure: async (s, ctx) => {
    const knobs = await ctx.api.call<{ knobs: { name: string; value: string; changed: boolean }[] }>('GET', '/lab/v1/tuning/knobs');
    failUnlessOk(knobs, 'GET /lab/v1/tuning/knobs');
    const was = knobs.body.knobs.find((k) => k.name === s.knob);
    const path = `/lab/v1/tuning/knobs/${encodeURIComponent(s.knob)}`;
    const withKnob = async (value: string) => {
      failUnlessOk(await ctx.api.call('PUT', path, { value }), `PUT ${path}`);
      return (await runLoadTest(ctx, s.scenario, s.duration_s)).summary ?? {};
    };
    try {
      const a = await withKnob(s.before);
      const b = await withKnob(s.after);
      return judgeAb(s, a, b);
    } finally {
      await ctx.api.call('PUT', path, { value: was?.changed ? was.value : null });
    }
  },
};
