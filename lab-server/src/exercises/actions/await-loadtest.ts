import type { z } from 'zod';
import { stepSchema, type ActionKind } from '../action-kind.js';
import { failUnlessOk } from './lab-api.js';
import { finishedText, waitForRun } from './loadtest.js';

const spec = stepSchema('await-loadtest', {});

/**
 * Waits for the load test that is running to finish. With `api` steps before it, a solution can start a
 * run, act on the cluster while it runs, and then wait: how a chapter shows something holds under load.
 */
export const awaitLoadtest: ActionKind<z.output<typeof spec>> = {
  do: 'await-loadtest',
  spec,
  describe: () => 'Wait for the running load test to finish — GET /lab/v1/loadtests',
  async run(_s, ctx) {
    const list = await ctx.api.call<{ running?: string | null }>('GET', '/lab/v1/loadtests');
    failUnlessOk(list, 'GET /lab/v1/loadtests');
    const id = list.body?.running;
    if (!id) return { detail: 'No load test was running.' };
    return { detail: finishedText(await waitForRun(ctx, id)) };
  },
};
