import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { StepFailed, stepSchema, type ActionKind } from '../action-kind.js';
import type { ExerciseContext } from '../context.js';
import { failUnlessOk } from './lab-api.js';
import { finishedText, waitForRun } from './loadtest.js';

const spec = stepSchema('await-loadtest', {
  until: z
    .enum(['finished', 'counting', 'stopped'])
    .default('finished')
    .describe('finished: the run has ended; counting: its traffic is on and counted; stopped: the run is stopped now and has ended'),
});

interface RunProgress {
  state?: string;
  progress?: { requests?: number } | null;
}

/** Waits until the run's traffic is counted (past its preparation and warm-up), or throws if it ends first. */
async function waitForTraffic(ctx: ExerciseContext, id: string): Promise<string> {
  for (;;) {
    const r = await ctx.api.call<RunProgress>('GET', `/lab/v1/loadtests/${encodeURIComponent(id)}`);
    failUnlessOk(r, `GET /lab/v1/loadtests/${id}`);
    if (r.body.state === 'running' && (r.body.progress?.requests ?? 0) > 0) return `Load test ${id} is under way: its requests are being counted.`;
    if (r.body.state !== 'preparing' && r.body.state !== 'running')
      throw new StepFailed(`Load test ${id} ${r.body.state ?? 'ended'} before its traffic began.`);
    await sleep(250);
  }
}

/** Stops the run (what its Stop button does) and waits until it has ended with its summary. */
async function stopRun(ctx: ExerciseContext, id: string): Promise<string> {
  const path = `/lab/v1/loadtests/${encodeURIComponent(id)}`;
  const stop = await ctx.api.call('POST', `${path}/cancel`);
  // It may have ended on its own meanwhile: then it is not running any more, which is what this step wants.
  if (stop.status !== 409) failUnlessOk(stop, `POST ${path}/cancel`);
  for (;;) {
    const r = await ctx.api.call<RunProgress>('GET', path);
    failUnlessOk(r, `GET ${path}`);
    if (r.body.state !== 'preparing' && r.body.state !== 'running') return `Load test ${id} ${r.body.state ?? 'ended'}.`;
    await sleep(250);
  }
}

/**
 * Waits for the load test that is running: until it has finished, or until its traffic is on (`until:
 * counting`). With `api` steps around it, a solution can start a run, act on the cluster while it runs, and
 * then wait: how a chapter shows something holds under load.
 */
export const awaitLoadtest: ActionKind<z.output<typeof spec>> = {
  do: 'await-loadtest',
  spec,
  describe: (s) =>
    s.until === 'counting'
      ? 'Wait until the load test’s traffic is on — GET /lab/v1/loadtests/:id'
      : s.until === 'stopped'
        ? 'Stop the running load test — POST /lab/v1/loadtests/:id/cancel'
        : 'Wait for the running load test to finish — GET /lab/v1/loadtests',
  async run(s, ctx) {
    const list = await ctx.api.call<{ running?: string | null }>('GET', '/lab/v1/loadtests');
    failUnlessOk(list, 'GET /lab/v1/loadtests');
    const id = list.body?.running;
    if (!id) return { detail: 'No load test was running.' };
    if (s.until === 'counting') return { detail: await waitForTraffic(ctx, id) };
    if (s.until === 'stopped') return { detail: await stopRun(ctx, id) };
    return { detail: finishedText(await waitForRun(ctx, id)) };
  },
};
