import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { StepFailed, stepSchema, type ActionKind } from '../action-kind.js';
import type { ExerciseContext } from '../context.js';
import { failUnlessOk } from './lab-api.js';

const spec = stepSchema('loadtest', { scenario: z.string().min(1), duration_s: z.number().int().min(1).max(600).optional() });

interface LoadTestView {
  state?: string;
  summary?: { requests_per_s?: number };
  error?: string | null;
}

/** Starts a run and polls it to its end: a load test is not a job, it has its own API. */
async function runLoadTest(ctx: ExerciseContext, scenario: string, duration: number | undefined): Promise<string> {
  const started = await ctx.api.call<{ id?: string }>('POST', '/lab/v1/loadtests', { scenario, ...(duration ? { duration_s: duration } : {}) });
  failUnlessOk(started, 'POST /lab/v1/loadtests');
  const id = started.body?.id;
  if (!id) throw new StepFailed('POST /lab/v1/loadtests answered without a run id.');
  return waitForRun(ctx, id);
}

/** Polls a run until it has finished; any other end is a failed step naming it. */
export async function waitForRun(ctx: ExerciseContext, id: string): Promise<string> {
  for (;;) {
    const r = await ctx.api.call<LoadTestView>('GET', `/lab/v1/loadtests/${encodeURIComponent(id)}`);
    failUnlessOk(r, `GET /lab/v1/loadtests/${id}`);
    const state = r.body.state;
    if (state === 'finished') return `Load test ${id} finished: ${Math.round(r.body.summary?.requests_per_s ?? 0)} req/s.`;
    if (state && !['preparing', 'running'].includes(state)) {
      const why = r.body.error;
      throw new StepFailed(`Load test ${id} ${state}${why ? `: ${why}` : ''}.`);
    }
    await sleep(500);
  }
}

/** Runs a load test and waits for it to finish. */
export const loadtest: ActionKind<z.output<typeof spec>> = {
  do: 'loadtest',
  spec,
  describe: (s) => `Run the ${s.scenario} load test — POST /lab/v1/loadtests`,
  run: async (s, ctx) => ({ detail: await runLoadTest(ctx, s.scenario, s.duration_s) }),
};
