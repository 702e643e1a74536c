import { Router as ExpressRouter } from 'express';
import { z } from 'zod';
import { ApiError, notFound } from '../http/errors.js';
import { jsonBody, parse } from '../http/validation.js';
import type { LoadTestEngine } from './engine.js';
import { compareRuns } from './compare.js';
import { findScenario, opShares, SCENARIOS } from './scenarios.js';

/** Limits every run obeys: bounded in time, and in connections by the open-file limit of a laptop. */
export const LIMITS = { connections: 10_000, duration_s: 600, rate: 50_000, warmup_s: 30 } as const;

const int = (field: string, min: number, max: number) =>
  z
    .number({ error: `${field} must be a number` })
    .int(`${field} must be an integer`)
    .min(min, `${field} must be at least ${min.toLocaleString('en-US')}`)
    .max(max, `${field} must be at most ${max.toLocaleString('en-US')}`);

const StartBody = z
  .strictObject(
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
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `/lab/v1/loadtests`: scenarios, start, progress, cancel, history and comparison of runs. */
export function loadtestRoutes(engine: LoadTestEngine): ExpressRouter {
  const r = ExpressRouter();
  const find = async (id: string) => {
    const run = UUID.test(id) ? await engine.get(id) : null;
    if (!run) throw notFound(`No load test ${id}.`, { id });
    return run;
  };

  r.get('/scenarios', (_req, res) => {
    res.json({ scenarios: SCENARIOS.map((s) => ({ ...s, op_shares: opShares(s.flows) })), limits: LIMITS });
  });

  r.post('/', async (req, res) => {
    const body = parse(StartBody, jsonBody(req), 'load test');
    const scenario = findScenario(body.scenario)!;
    engine.assertIdle();
    const run = engine.start({ scenario, connections: body.connections, duration_s: body.duration_s, rate: body.rate, warmup_s: body.warmup_s });
    res.status(202).location(`/lab/v1/loadtests/${run.id}`).json({ id: run.id, run });
  });

  r.get('/', async (req, res) => {
    const limit = Math.min(Math.max(Number(req.query.limit) || 50, 1), 500);
    res.json({ runs: await engine.list(limit), running: engine.running()?.id ?? null });
  });

  r.get('/compare', async (req, res) => {
    const { a, b } = parse(CompareQuery, req.query, 'query');
    res.json(compareRuns(await find(a), await find(b)));
  });

  r.get('/:id', async (req, res) => {
    res.json(await find(req.params.id));
  });

  r.post('/:id/cancel', async (req, res) => {
    const run = await find(req.params.id);
    if (run.state !== 'preparing' && run.state !== 'running') {
      throw new ApiError(409, 'loadtest_not_running', `Load test ${run.id} has already ${run.state}.`, { id: run.id, state: run.state });
    }
    res.status(202).json(engine.cancel(run.id));
  });

  return r;
}
