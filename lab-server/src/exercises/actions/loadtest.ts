import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { CpuSplit } from '../../contracts/loadtests.js';
import { StepFailed, stepSchema, type ActionKind } from '../action-kind.js';
import type { ExerciseContext } from '../context.js';
import { failUnlessOk } from './lab-api.js';

const spec = stepSchema('loadtest', {
  scenario: z.string().min(1),
  duration_s: z.number().int().min(1).max(600).optional(),
  /** Requests per second over all connections, instead of the scenario's own (the 10k scenario at 1 request/s per user: 10000). */
  rate: z.number().int().min(1).max(100_000).optional(),
  /** Fewer connections than the scenario's (a quick reference run of a big scenario). */
  connections: z.number().int().min(1).max(10_000).optional(),
  /** A knob to turn once the run is under way (the tuning chapter's "under load" step), `after_s` seconds in. */
  turn: z
    .strictObject({ knob: z.string().min(1), value: z.union([z.string(), z.number(), z.boolean()]), after_s: z.number().int().min(0).max(600).optional() })
    .optional(),
});
type Turn = z.output<typeof spec>['turn'];

/** The parts of a finished run (`GET /lab/v1/loadtests/:id`) that steps and measurements read. */
export interface LoadTestView {
  id: string;
  state?: string;
  params?: { connections?: number; duration_s?: number };
  summary?: {
    requests?: number;
    errors?: number;
    requests_per_s?: number;
    latency_ms?: { p50?: number; p95?: number; p99?: number } | null;
    cpu?: CpuSplit | null;
  };
  error?: string | null;
  progress?: { elapsed_s?: number } | null;
}

/** Starts a run and polls it to its end (turning `turn`'s knob once it runs): a load test is not a job, it has its own API. */
export async function runLoadTest(
  ctx: ExerciseContext,
  scenario: string,
  duration: number | undefined,
  turn?: Turn,
  pace: { rate?: number | undefined; connections?: number | undefined; keepFailed?: boolean } = {},
): Promise<LoadTestView> {
  const started = await ctx.api.call<{ id?: string }>('POST', '/lab/v1/loadtests', {
    scenario,
    ...(duration ? { duration_s: duration } : {}),
    ...(pace.rate ? { rate: pace.rate } : {}),
    ...(pace.connections ? { connections: pace.connections } : {}),
  });
  failUnlessOk(started, 'POST /lab/v1/loadtests');
  const id = started.body?.id;
  if (!id) throw new StepFailed('POST /lab/v1/loadtests answered without a run id.');
  return waitForRun(ctx, id, turn, pace.keepFailed);
}

/** Polls a run until it has finished; any other end is a failed step naming it. */
/** With `keepFailed`, a run that failed but measured until then (killed at its hard limit: a summary) is returned too. */
export async function waitForRun(ctx: ExerciseContext, id: string, turn?: Turn, keepFailed = false): Promise<LoadTestView> {
  let pending = turn;
  for (;;) {
    const r = await ctx.api.call<LoadTestView>('GET', `/lab/v1/loadtests/${encodeURIComponent(id)}`);
    failUnlessOk(r, `GET /lab/v1/loadtests/${id}`);
    const state = r.body.state;
    if (state === 'running' && pending && (r.body.progress?.elapsed_s ?? 0) >= (pending.after_s ?? 0)) {
      const path = `/lab/v1/tuning/knobs/${encodeURIComponent(pending.knob)}`;
      failUnlessOk(await ctx.api.call('PUT', path, { value: pending.value }), `PUT ${path}`);
      pending = undefined;
    }
    if (state === 'finished' || (keepFailed && state === 'failed' && r.body.summary)) return r.body;
    if (state && !['preparing', 'running'].includes(state)) {
      const why = r.body.error;
      throw new StepFailed(`Load test ${id} ${state}${why ? `: ${why}` : ''}.`);
    }
    await sleep(500);
  }
}

export const finishedText = (run: LoadTestView): string => `Load test ${run.id} finished: ${Math.round(run.summary?.requests_per_s ?? 0)} req/s.`;

/** Runs a load test and waits for it to finish. */
export const loadtest: ActionKind<z.output<typeof spec>> = {
  do: 'loadtest',
  spec,
  describe: (s) =>
    `Run the ${s.scenario} load test${s.connections ? ` on ${s.connections} connections` : ''}${s.rate ? ` at ${s.rate} req/s` : ''}${s.duration_s ? ` for ${s.duration_s} s` : ''} — POST /lab/v1/loadtests${s.turn ? `; while it runs, turn ${s.turn.knob} to ${String(s.turn.value)}${s.turn.after_s ? ` ${s.turn.after_s} s in` : ''} — PUT /lab/v1/tuning/knobs/${s.turn.knob}` : ''}`,
  run: async (s, ctx) => ({ detail: finishedText(await runLoadTest(ctx, s.scenario, s.duration_s, s.turn, { rate: s.rate, connections: s.connections })) }),
};
