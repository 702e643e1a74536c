import { z } from 'zod';
import type { ApiRouter } from '../api-router.js';
import { ApiError, notFound } from '../errors.js';
import { decimalQuery } from '../../values/decimal-query.js';
import { ComparisonSchema, LoadTestRunSchema, ScenariosSchema } from '../schemas/loadtests.js';
import type { LoadTestEngine } from '../../loadtest/engine.js';
import { compareRuns } from '../../loadtest/compare.js';
import { findScenario, opShares, SCENARIOS } from '../../loadtest/scenarios.js';

/** Limits every run obeys: bounded in time, and in connections by the open-file limit of a laptop. */
export const LIMITS = { connections: 10_000, duration_s: 600, rate: 50_000, warmup_s: 30 } as const;

const int = (field: string, min: number, max: number) =>
  z
    .number({ error: `${field} must be a number` })
    .int(`${field} must be an integer`)
    .min(min, `${field} must be at least ${min.toLocaleString('en-US')}`)
    .max(max, `${field} must be at most ${max.toLocaleString('en-US')}`);

const StartBody = z.strictObject(
  {
    scenario: z.string({ error: 'scenario is required' }).refine((s) => findScenario(s) !== undefined, {
      message: `scenario must be one of: ${SCENARIOS.map((s) => s.name).join(', ')}`,
    }),
    connections: int('connections', 1, LIMITS.connections).optional(),
    duration_s: int('duration_s', 1, LIMITS.duration_s).optional(),
    rate: int('rate', 1, LIMITS.rate).optional(),
    warmup_s: int('warmup_s', 0, LIMITS.warmup_s).optional(),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field(s): ${iss.keys.join(', ')}` : 'the body must be a JSON object') },
);

const CompareQuery = z.object({
  a: z.string({ error: 'a (a run id) is required' }).min(1, 'a (a run id) is required'),
  b: z.string({ error: 'b (a run id) is required' }).min(1, 'b (a run id) is required'),
});
const ListQuery = z.object({
  limit: decimalQuery('limit')
    .pipe(z.number().int().min(1, 'limit must be at least 1').max(500, 'limit must be at most 500'))
    .default(50)
    .describe('how many of the newest runs'),
});
const RunParams = z.object({ id: z.string().describe('a load-test run id') });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `/lab/v1/loadtests`: scenarios, start, progress, cancel, history and comparison of runs. */
export function loadtestRoutes(api: ApiRouter, engine: LoadTestEngine): void {
  const tag = 'lab: loadtests';
  const noRun = { description: 'no such run' };
  const find = async (id: string) => {
    const run = UUID.test(id) ? await engine.get(id) : null;
    if (!run) throw notFound(`No load test ${id}.`, { id });
    return run;
  };

  api.add(
    {
      method: 'get',
      path: '/loadtests/scenarios',
      tag,
      summary: "The scenarios (with each operation's expected share) and the limits every run obeys",
      responses: { 200: { description: 'scenarios and limits', schema: ScenariosSchema } },
    },
    ({ res }) => {
      res.json({ scenarios: SCENARIOS.map((s) => ({ ...s, op_shares: opShares(s.flows) })), limits: LIMITS });
    },
  );

  api.add(
    {
      method: 'post',
      path: '/loadtests',
      tag,
      summary: "Start a load test against the lab's own API, in a child process",
      body: StartBody,
      bodyName: 'load test',
      responses: {
        202: { description: 'started; Location: the run', schema: z.object({ id: z.string(), run: LoadTestRunSchema }) },
        409: { description: 'loadtest_running: one run at a time' },
      },
    },
    ({ res, body }) => {
      const scenario = findScenario(body.scenario)!;
      engine.assertIdle();
      const run = engine.start({ scenario, connections: body.connections, duration_s: body.duration_s, rate: body.rate, warmup_s: body.warmup_s });
      res.status(202).location(`/lab/v1/loadtests/${run.id}`).json({ id: run.id, run });
    },
  );

  api.add(
    {
      method: 'get',
      path: '/loadtests',
      tag,
      summary: 'Past and running runs, newest first',
      query: ListQuery,
      responses: {
        200: { description: 'the runs (without timelines)', schema: z.object({ runs: z.array(LoadTestRunSchema), running: z.string().nullable() }) },
      },
    },
    async ({ res, query }) => {
      res.json({ runs: await engine.list(query.limit), running: engine.running()?.id ?? null });
    },
  );

  api.add(
    {
      method: 'get',
      path: '/loadtests/compare',
      tag,
      summary: 'Two runs side by side, each headline number with b relative to a',
      query: CompareQuery,
      responses: { 200: { description: 'the comparison', schema: ComparisonSchema }, 404: noRun },
    },
    async ({ res, query: { a, b } }) => {
      res.json(compareRuns(await find(a), await find(b)));
    },
  );

  api.add(
    {
      method: 'get',
      path: '/loadtests/:id',
      tag,
      summary: 'One run: parameters, live progress or summary, per-second timeline',
      params: RunParams,
      responses: { 200: { description: 'the run', schema: LoadTestRunSchema }, 404: noRun },
    },
    async ({ res, params }) => {
      res.json(await find(params.id));
    },
  );

  api.add(
    {
      method: 'post',
      path: '/loadtests/:id/cancel',
      tag,
      summary: 'Stop a preparing or running run',
      params: RunParams,
      responses: { 202: { description: 'the run', schema: LoadTestRunSchema }, 404: noRun, 409: { description: 'loadtest_not_running: it has already ended' } },
    },
    async ({ res, params }) => {
      const run = await find(params.id);
      if (run.state !== 'preparing' && run.state !== 'running') {
        throw new ApiError(409, 'loadtest_not_running', `Load test ${run.id} has already ${run.state}.`, { id: run.id, state: run.state });
      }
      res.status(202).json(engine.cancel(run.id));
    },
  );
}
