import type { Lab } from '../../lab/lab.js';
import { Breakdown } from '../../contracts/breakdown.js';
import { BudgetInput, LastBudget, type BudgetResult } from '../../contracts/connection-budget.js';
import { ConflictError } from '../../domain/errors.js';
import { Prediction, PredictionInput, Predictions as PredictionsSchema } from '../../contracts/predictions.js';
import { LastQueryShapes, QueryShapesInput, QueryShapesTrial } from '../../contracts/query-shapes.js';
import { LastStarvation, StarvationInput, type StarvationResult } from '../../contracts/starvation.js';
import { MIN_USERS, sampleUserIds, SEED_USERS } from '../../loadtest/prepare.js';
import { seed } from '../../seeding/seed.js';
import { latencyBreakdown } from '../../tracing/breakdown.js';
import { assertBudget, planBudget, runBudget } from '../../tuning/connection-budget.js';
import { knobHost } from '../../tuning/host.js';
import { Predictions } from '../../tuning/predictions.js';
import { QueryShapeTrials } from '../../tuning/query-shapes.js';
import { planStarvation, runStarvation } from '../../tuning/starvation.js';
import type { ApiRouter } from '../api-router.js';
import { JobAcceptedSchema } from '../schemas/lab.js';

/** What the tuning measurements need of the lab: its shards and ring, settings, load tests and jobs. */
export type TuningRunsTarget = Pick<
  Lab,
  'cluster' | 'ring' | 'settings' | 'config' | 'preforkWorkers' | 'setWorkers' | 'loadtests' | 'updateSettings' | 'jobs' | 'pooling'
>;

/**
 * `/lab/v1/tuning`'s measurements beside the knobs: where a request's time goes, the original's pool starvation
 * at this machine's scale, the learner's predictions with the runs that measured them, and the query shapes.
 */
export function tuningRunsRoutes(api: ApiRouter, lab: TuningRunsTarget): void {
  const tag = 'lab: tuning';
  const host = knobHost(lab);
  const breakdown = () => ({ since: latencyBreakdown.since, sample_percent: lab.settings.get().trace_sample_percent, endpoints: latencyBreakdown.view() });
  api.add(
    {
      method: 'get',
      path: '/tuning/breakdown',
      tag,
      summary:
        'Where the time goes: per endpoint, p50/p95/mean of each part of a request (pool wait, query, server work, response) over the traced requests since the reset',
      description: 'Fed by the request tracer: turn on live sampling (PUT /lab/v1/traces/sampling) to include a load test. See docs/tuning.md.',
      responses: { 200: { description: 'busiest endpoint first', schema: Breakdown } },
    },
    async ({ res }) => {
      res.json(breakdown());
    },
  );
  api.add(
    {
      method: 'delete',
      path: '/tuning/breakdown',
      tag,
      summary: 'Start the breakdown afresh',
      responses: { 200: { description: 'empty', schema: Breakdown } },
    },
    async ({ res }) => {
      latencyBreakdown.reset();
      res.json(breakdown());
    },
  );

  let lastStarvation: StarvationResult | null = null;
  api.add(
    {
      method: 'get',
      path: '/tuning/starvation',
      tag,
      summary: 'The last starvation pair (POST /lab/v1/tuning/starvation): the scaling rule with its numbers, and both runs',
      responses: { 200: { description: 'the last result, or null', schema: LastStarvation } },
    },
    async ({ res }) => {
      res.json({ result: lastStarvation });
    },
  );
  api.add(
    {
      method: 'post',
      path: '/tuning/starvation',
      tag,
      summary:
        "The original's pool starvation at this machine's scale: the crud load test with 200 users per pool connection, with pool_max 1 and then 4 (its 25 → 100); a job whose result states the scaling rule and both runs",
      description: 'See docs/tuning.md, "Pool starvation at the original\'s scale". The pool knobs are put back afterwards.',
      body: StarvationInput,
      bodyName: 'starvation run',
      responses: {
        202: { description: 'started; Location: the job (result: plan, before, after)', schema: JobAcceptedSchema },
        400: { description: 'a bad body' },
        409: { description: 'loadtest_running: a load test is running' },
      },
    },
    ({ res, body }) => {
      lab.loadtests.assertIdle();
      const plan = planStarvation(lab.cluster.shards.length, lab.preforkWorkers, body.duration_s);
      const job = lab.jobs.submit('starvation', { ...plan }, 2, async (ctx) => {
        // As a load test would, but seeding inside this job: a seed job would wait for this one to end.
        const prepare = async () => {
          if ((await sampleUserIds(lab.cluster, 1)).total >= MIN_USERS) return;
          ctx.note(`Fewer than ${MIN_USERS} users: seeding ${SEED_USERS} first, with the pool as it is.`);
          await seed(lab.cluster, lab.ring.router, { users: SEED_USERS }, ctx);
        };
        lastStarvation = await runStarvation(host, lab.loadtests, plan, ctx, prepare);
        return { ...lastStarvation };
      });
      res.status(202).location(`/lab/v1/jobs/${job.id}`).json({ job_id: job.id, job });
    },
  );

  let lastBudget: BudgetResult | null = null;
  api.add(
    {
      method: 'get',
      path: '/tuning/connection-budget',
      tag,
      summary: "The last connection budget (POST /lab/v1/tuning/connection-budget): each shard's peak connections against workers × pool_max",
      responses: { 200: { description: 'the last result, or null', schema: LastBudget } },
    },
    async ({ res }) => {
      res.json({ result: lastBudget });
    },
  );
  api.add(
    {
      method: 'post',
      path: '/tuning/connection-budget',
      tag,
      summary:
        "Prefork multiplies pools, measured: with the workers and pool_max given, a crud load test fills every process's pools while pg_stat_activity is sampled on each shard; a job whose result sets each shard's peak beside workers × pool_max, its max_connections and the original's 8 × 100",
      description: 'See docs/tuning.md, "The connection budget". Both knobs are put back afterwards, also when the job fails or is cancelled.',
      body: BudgetInput,
      bodyName: 'connection budget',
      responses: {
        202: { description: 'started; Location: the job (result: plan, run, shards)', schema: JobAcceptedSchema },
        400: { description: 'a bad body' },
        409: {
          description:
            "loadtest_running: a load test is running; pooling_on: PgBouncer decides the server connections; over_budget: more than a shard accepts, with room for the lab's own",
        },
      },
    },
    async ({ res, body }) => {
      lab.loadtests.assertIdle();
      if (lab.pooling.mode !== 'off')
        throw new ConflictError(
          'pooling_on',
          `The API reaches the shards through PgBouncer (${lab.pooling.mode} mode), whose own pool decides the server connections; turn pooling off (pooling off) to measure the API's pools.`,
        );
      const plan = planBudget(lab.cluster.shards.length, body.workers ?? lab.preforkWorkers, body.pool_max ?? lab.settings.get().pool_max, body.duration_s);
      await assertBudget(host.shards(), plan);
      const job = lab.jobs.submit('connection-budget', { ...plan }, plan.duration_s, async (ctx) => {
        lastBudget = await runBudget(host, lab.loadtests, plan, ctx);
        return { ...lastBudget };
      });
      res.status(202).location(`/lab/v1/jobs/${job.id}`).json({ job_id: job.id, job });
    },
  );

  const predictions = new Predictions(lab.cluster.catalog.pool, lab.loadtests);
  api.add(
    {
      method: 'get',
      path: '/tuning/predictions',
      tag,
      summary: 'Predict, then measure: every prediction with its baseline run, the run that measured it, and how far off it was',
      responses: { 200: { description: 'newest first', schema: PredictionsSchema } },
    },
    async ({ res }) => {
      res.json({ predictions: await predictions.list() });
    },
  );
  api.add(
    {
      method: 'post',
      path: '/tuning/predictions',
      tag,
      summary:
        'Predict how a number of the next run will change against the newest finished run; the first finished run of the same scenario after it measures it',
      body: PredictionInput,
      bodyName: 'prediction',
      responses: {
        200: { description: 'the prediction, waiting for its run', schema: Prediction },
        400: { description: 'a bad body' },
        409: { description: 'no_baseline: no finished load test to compare against yet' },
      },
    },
    async ({ res, body }) => {
      res.json(await predictions.predict(body));
    },
  );
  api.add(
    {
      method: 'delete',
      path: '/tuning/predictions',
      tag,
      summary: 'Forget every prediction',
      responses: { 200: { description: 'none left', schema: PredictionsSchema } },
    },
    async ({ res }) => {
      await predictions.clear();
      res.json({ predictions: [] });
    },
  );

  const shapes = new QueryShapeTrials({
    shards: () => lab.cluster.shards,
    owns: (shard, id) => lab.ring.router.route(id).shard_name === shard,
    changing: () => lab.ring.changing,
    exclusive: (fn) => lab.ring.changeTopology(fn),
  });
  api.add(
    {
      method: 'get',
      path: '/tuning/query-shapes',
      tag,
      summary: 'The last query-shape trial (POST /lab/v1/tuning/query-shapes)',
      responses: { 200: { description: 'the last trial, or null', schema: LastQueryShapes } },
    },
    async ({ res }) => {
      res.json({ result: shapes.last });
    },
  );
  api.add(
    {
      method: 'post',
      path: '/tuning/query-shapes',
      tag,
      summary:
        "The original's per-query claims, statement by statement on one shard: GORM's default transaction, SELECT * against named columns, First against Take, Save against Updates; each pair alternating round by round",
      description: 'See docs/tuning.md, "Query shape, measured". Every user the trial writes is deleted before it answers.',
      body: QueryShapesInput,
      bodyName: 'query-shape trial',
      responses: {
        200: { description: 'both sides of each pair with their ratio, beside the claim', schema: QueryShapesTrial },
        400: { description: 'a bad body' },
        404: { description: 'no such shard' },
        409: { description: 'shard_not_up; trial_running: a trial is running; topology_changing: a reshard or promotion runs' },
        503: { description: 'shard_unavailable: the shard did not answer' },
      },
    },
    async ({ res, body }) => {
      res.json(await shapes.run(body));
    },
  );
}
