import { z } from 'zod';
import { decimalQuery } from '../../values/decimal-query.js';
import type { Lab } from '../../lab/lab.js';
import { knobHost } from '../../tuning/host.js';
import { readKnobs, resetKnobs, setKnob } from '../../tuning/knobs.js';
import type { ApiRouter } from '../api-router.js';
import { ApiError } from '../errors.js';
import { isTunable, TUNABLE_PARAMETERS } from '../../tuning/parameters.js';
import { ParameterPrivilegeError, ParameterValueError, readParameters, setParameter } from '../../tuning/service.js';
import { clearCrashRuns, COMMIT_MODES, crashRun, listCrashRuns } from '../../tuning/durability.js';
import { Profiles } from '../../tuning/profiles.js';
import { assertRestartable, restartShards } from '../../tuning/restart.js';
import { JobAcceptedSchema } from '../schemas/lab.js';
import { resetStatements, STATEMENT_ORDERS, topStatements } from '../../tuning/statements.js';
import { Prediction, PredictionInput, Predictions as PredictionsSchema } from '../../contracts/predictions.js';
import { Predictions } from '../../tuning/predictions.js';
import { Breakdown } from '../../contracts/breakdown.js';
import { latencyBreakdown } from '../../tracing/breakdown.js';
import { LastStarvation, StarvationInput, type StarvationResult } from '../../contracts/starvation.js';
import { planStarvation, runStarvation } from '../../tuning/starvation.js';
import { MIN_USERS, sampleUserIds, SEED_USERS } from '../../loadtest/prepare.js';
import { seed } from '../../seeding/seed.js';

const ParameterSchema = z.object({
  name: z.enum(TUNABLE_PARAMETERS),
  setting: z.string().describe('as SHOW prints it, with its unit'),
  unit: z.string().nullable(),
  source: z.string().describe('default, configuration file (set here), command line, …'),
  pending_restart: z.boolean().describe('set, but in force only once the shard restarts'),
  context: z.string().describe('postmaster: at start only; sighup: on reload; user: per session too'),
  description: z.string(),
  boot_val: z.string().nullable().describe("PostgreSQL's compiled-in default, in the parameter's unit"),
  altered: z.boolean().describe('set by ALTER SYSTEM, i.e. by the lab'),
  file_setting: z.string().nullable().describe('what ALTER SYSTEM wrote, even where the command line outranks it'),
});

const TuningSchema = z.object({ shards: z.array(z.object({ shard: z.string(), parameters: z.array(ParameterSchema) })) }).meta({ id: 'Tuning' });

const SetBody = z.strictObject(
  {
    value: z
      .string({ error: 'value is required: a string as PostgreSQL writes it (64MB, 0.9, off), or null to reset' })
      .trim()
      .min(1, 'value must not be empty')
      .max(100, 'value is too long')
      .nullable(),
    shards: z.array(z.string()).min(1, 'name at least one shard, or leave shards out for all of them').optional(),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field(s): ${iss.keys.join(', ')}` : 'the body must be a JSON object') },
);

const KnobSchema = z
  .object({
    name: z.string(),
    kind: z.enum(['lab', 'postgres']).describe('lab: the lab process (pools, data layer); postgres: a parameter on every shard'),
    value: z.string().describe('in force now'),
    default: z.string(),
    changed: z.boolean().describe('differs from the default'),
    set_here: z.string().describe('where this lab sets it'),
    original: z.string().describe('what the original used, and where'),
    applies: z
      .enum(['live', 'reload', 'restart', 'fixed'])
      .describe('live: from the next request; reload: PostgreSQL re-reads its settings; restart: the server must restart; fixed: not changeable here yet'),
    cost: z.string().describe('what changing it costs or risks'),
    description: z.string(),
    needs_restart: z.boolean().describe('set, but in force only once the shards restart (POST /lab/v1/tuning/restart)'),
  })
  .meta({ id: 'Knob' });
const KnobsSchema = z.object({ knobs: z.array(KnobSchema) }).meta({ id: 'Knobs' });

const KnobBody = z.strictObject(
  {
    value: z
      .union([z.string().trim().min(1, 'value must not be empty').max(100, 'value is too long'), z.number(), z.boolean()], {
        error: 'value is required: the new value (a number, on/off, pg/prisma, 64MB …), or null for the default',
      })
      .nullable(),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field(s): ${iss.keys.join(', ')}` : 'the body must be a JSON object') },
);

const StatementsQuery = z.object({
  by: z
    .enum(STATEMENT_ORDERS, { error: `by must be one of ${STATEMENT_ORDERS.join(', ')}` })
    .default('total')
    .describe('total: total execution time; calls: how often; mean: time per call'),
  limit: decimalQuery('limit').pipe(z.number().int().min(1, 'limit must be at least 1').max(50, 'limit must be at most 50')).default(10),
  shard: z.string().min(1).optional().describe('one shard (default: every shard)'),
});

const StatementsSchema = z
  .object({
    by: z.enum(STATEMENT_ORDERS),
    shards: z.array(
      z.object({
        shard: z.string(),
        since: z.string().describe('when the statistics were last reset'),
        total_ms: z.number().describe('time spent in every tracked statement on this shard'),
        statements: z.array(
          z.object({
            query_id: z.string(),
            query: z.string().describe('normalised: constants replaced by $1, $2, …'),
            calls: z.number(),
            total_ms: z.number(),
            mean_ms: z.number(),
            rows: z.number(),
            share_pct: z.number().describe("share of the shard's statement time"),
            cache_hit_pct: z.number().nullable().describe('blocks found in shared buffers, percent'),
          }),
        ),
      }),
    ),
  })
  .meta({ id: 'TopStatements' });

const CrashBody = z.strictObject(
  {
    shard: z.string({ error: 'shard is required: the shard to crash (e.g. shard-0)' }).min(1, 'shard is required'),
    synchronous_commit: z.enum(COMMIT_MODES, { error: 'synchronous_commit must be on or off' }),
    writers: z.number().int().min(1, 'writers must be at least 1').max(32, 'writers must be at most 32').default(8),
    write_ms: z.number().int().min(100, 'write_ms must be at least 100').max(10_000, 'write_ms must be at most 10000').default(1500),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field(s): ${iss.keys.join(', ')}` : 'the body must be a JSON object') },
);

const CrashRunSchema = z
  .object({
    run: z.number(),
    shard: z.string(),
    synchronous_commit: z.enum(COMMIT_MODES),
    writers: z.number(),
    write_ms: z.number().describe('how long the writers wrote before the kill'),
    acknowledged: z.number().describe('commits the server acknowledged'),
    lost: z.number().describe('acknowledged commits whose row was gone after recovery'),
    lost_ids: z.array(z.number()).describe('the first lost row numbers'),
    unacknowledged_present: z.number().describe('rows committed whose acknowledgement never arrived (in flight at the kill)'),
    commits_per_s: z.number(),
    recovery_ms: z.number().describe('from the kill to the shard answering again'),
    wal_writer_delay: z.string().describe('the loss window with synchronous_commit off is up to about three of these'),
    at: z.string(),
  })
  .meta({ id: 'CrashRun' });
const CrashRunsSchema = z.object({ runs: z.array(CrashRunSchema) }).meta({ id: 'CrashRuns' });

const ProfileSchema = z
  .object({
    name: z.string(),
    title: z.string(),
    description: z.string(),
    builtin: z.boolean().describe('built in, or saved by the learner (kept until the lab stops)'),
    values: z.record(z.string(), z.string()).describe('knob → value; applying puts every other knob back to its default'),
    not_applied: z
      .array(z.object({ knob: z.string(), value: z.string(), why: z.string() }))
      .describe('what the original also set that the profile does not apply here, and why'),
  })
  .meta({ id: 'Profile' });
const ProfilesSchema = z.object({ profiles: z.array(ProfileSchema) }).meta({ id: 'Profiles' });
const SaveProfileBody = z.strictObject(
  { name: z.string({ error: 'name is required: lower-case letters, digits and dashes' }).min(1, 'name must not be empty').max(40, 'name is too long') },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field(s): ${iss.keys.join(', ')}` : 'the body must be a JSON object') },
);
const ProfileParams = z.object({ name: z.string().describe('a profile name from GET /lab/v1/tuning/profiles') });

/** What the tuning routes need of the lab: its shards, settings and load tests (the panel marks changes on a running test). */
export type TuningTarget = Pick<Lab, 'cluster' | 'ring' | 'settings' | 'config' | 'preforkWorkers' | 'setWorkers' | 'loadtests' | 'updateSettings' | 'jobs'>;

/** `/lab/v1/tuning`: the PostgreSQL parameters a learner may change (an allow-list, instead of ALTER SYSTEM in the console). */
export function tuningRoutes(api: ApiRouter, lab: TuningTarget): void {
  const tag = 'lab: tuning';
  const host = knobHost(lab);
  const refused = (err: unknown): never => {
    if (err instanceof ParameterValueError) throw new ApiError(400, 'invalid_value', `${err.message}. Nothing was changed.`, { shard: err.shard });
    if (err instanceof ParameterPrivilegeError) throw new ApiError(409, 'not_permitted', `${err.message} Nothing was changed.`);
    throw err;
  };
  const pickShards = (name: string | undefined) => {
    const all = host.shards();
    if (name === undefined) return all;
    const one = all.filter((s) => s.name === name);
    if (one.length === 0) throw new ApiError(404, 'not_found', `No shard ${name}; the shards are ${all.map((s) => s.name).join(', ')}.`, { shard: name });
    return one;
  };
  api.add(
    {
      method: 'get',
      path: '/tuning/parameters',
      tag,
      summary: 'The PostgreSQL parameters the lab may change, as every shard has them now',
      responses: { 200: { description: 'per shard, the allowed parameters', schema: TuningSchema } },
    },
    async ({ res }) => {
      res.json({ shards: await readParameters(host.shards()) });
    },
  );
  api.add(
    {
      method: 'put',
      path: '/tuning/parameters/:name',
      tag,
      summary: 'Set (value) or reset (null) one allowed parameter on every shard or the ones named: ALTER SYSTEM, then a reload; all shards or none',
      params: z.object({ name: z.string().describe(`one of ${TUNABLE_PARAMETERS.join(', ')}`) }),
      body: SetBody,
      bodyName: 'tuning request',
      responses: {
        200: { description: 'the allowed parameters on the shards changed, as in force now', schema: TuningSchema },
        400: { description: 'invalid_value: PostgreSQL refused the value (nothing changed)' },
        404: { description: 'parameter_not_allowed or unknown shard' },
        409: { description: 'not_permitted: the lab’s user may not run ALTER SYSTEM on a shard' },
      },
    },
    async ({ res, params, body }) => {
      if (!isTunable(params.name)) {
        throw new ApiError(404, 'parameter_not_allowed', `'${params.name}' is not a parameter the lab changes; these are: ${TUNABLE_PARAMETERS.join(', ')}.`, {
          allowed: TUNABLE_PARAMETERS,
        });
      }
      const all = host.shards();
      const unknown = (body.shards ?? []).filter((n) => !all.some((s) => s.name === n));
      if (unknown.length)
        throw new ApiError(404, 'not_found', `No shard ${unknown.join(', ')}; the shards are ${all.map((s) => s.name).join(', ')}.`, { shards: unknown });
      const targets = body.shards ? all.filter((s) => body.shards!.includes(s.name)) : all;
      res.json({ shards: await setParameter(targets, params.name, body.value).catch(refused) });
    },
  );

  api.add(
    {
      method: 'get',
      path: '/tuning/statements',
      tag,
      summary: 'The top statements per shard from pg_stat_statements, by total time, calls or mean time',
      query: StatementsQuery,
      responses: {
        200: { description: 'per shard, its top statements since the last reset', schema: StatementsSchema },
        404: { description: 'no shard of that name' },
        409: { description: 'statements_unavailable: a shard does not load pg_stat_statements' },
      },
    },
    async ({ res, query }) => {
      const shards = pickShards(query.shard);
      res.json({ by: query.by, shards: await topStatements(shards, query) });
    },
  );
  api.add(
    {
      method: 'post',
      path: '/tuning/statements/reset',
      tag,
      summary: 'Forget the statement statistics on every shard (pg_stat_statements_reset), so the next look shows only what ran since',
      responses: {
        200: { description: 'the (now empty) top statements', schema: StatementsSchema },
        409: { description: 'statements_unavailable: a shard does not load pg_stat_statements' },
      },
    },
    async ({ res }) => {
      await resetStatements(host.shards());
      res.json({ by: 'total', shards: await topStatements(host.shards(), { by: 'total', limit: 10 }) });
    },
  );

  api.add(
    {
      method: 'post',
      path: '/tuning/durability',
      tag,
      summary:
        'Crash a shard mid-write: writers commit numbered rows with synchronous_commit on or off, the lab kills the postmaster (SIGKILL), restarts it and counts the acknowledged rows that are gone',
      description: 'The mode is set per session, so the knob panel does not change it. See docs/tuning.md.',
      body: CrashBody,
      bodyName: 'crash run',
      responses: {
        200: { description: 'the run', schema: CrashRunSchema },
        404: { description: 'no shard of that name' },
        409: { description: 'not_available (the lab does not run its shards) or shard_not_up' },
      },
    },
    async ({ res, body }) => {
      const run = await crashRun(lab.cluster, body);
      lab.loadtests.mark('crash', `${run.shard} killed (synchronous_commit ${run.synchronous_commit})`);
      res.json(run);
    },
  );
  api.add(
    {
      method: 'get',
      path: '/tuning/durability',
      tag,
      summary: 'Every crash run so far, oldest first',
      responses: { 200: { description: 'the runs', schema: CrashRunsSchema } },
    },
    async ({ res }) => {
      res.json({ runs: await listCrashRuns(lab.cluster) });
    },
  );
  api.add(
    {
      method: 'delete',
      path: '/tuning/durability',
      tag,
      summary: 'Forget every crash run (and the demonstration’s table on each shard)',
      responses: { 200: { description: 'no runs', schema: CrashRunsSchema } },
    },
    async ({ res }) => {
      await clearCrashRuns(lab.cluster);
      res.json({ runs: [] });
    },
  );

  api.add(
    {
      method: 'post',
      path: '/tuning/restart',
      tag,
      summary:
        'Restart every embedded shard, one at a time (fast shutdown, start, wait until it answers), so restart-only parameters (shared_buffers, max_connections) take effect; a job',
      responses: {
        202: { description: 'started; Location: the job (a phase and notes per shard)', schema: JobAcceptedSchema },
        409: { description: 'not_available (the lab does not run its shards) or shard_not_up' },
      },
    },
    ({ res }) => {
      assertRestartable(lab.cluster);
      const job = lab.jobs.submit('restart-shards', {}, lab.cluster.shards.length, async (ctx) => {
        lab.loadtests.mark('restart', 'shards restart one at a time');
        return { ...(await restartShards(lab.cluster, ctx)) };
      });
      res.status(202).location(`/lab/v1/jobs/${job.id}`).json({ job_id: job.id, job });
    },
  );

  const profiles = new Profiles(lab.cluster.catalog.pool);
  api.add(
    {
      method: 'get',
      path: '/tuning/profiles',
      tag,
      summary: 'Named sets of knob values: the original before and after its tuning, the lab default, and the learner’s own',
      responses: { 200: { description: 'every profile', schema: ProfilesSchema } },
    },
    async ({ res }) => {
      res.json({ profiles: await profiles.list() });
    },
  );
  api.add(
    {
      method: 'post',
      path: '/tuning/profiles/:name/apply',
      tag,
      summary: 'Apply a profile in one step: every knob back to its default, then the profile’s values (lab knobs live, PostgreSQL ones by reload)',
      params: ProfileParams,
      responses: {
        200: { description: 'every knob, as in force now', schema: KnobsSchema },
        404: { description: 'no such profile' },
      },
    },
    async ({ res, params }) => {
      res.json({ knobs: await profiles.apply(host, params.name).catch(refused) });
    },
  );
  api.add(
    {
      method: 'post',
      path: '/tuning/profiles',
      tag,
      summary: 'Save the knobs in force now as the learner’s own profile (every knob a profile can set)',
      body: SaveProfileBody,
      bodyName: 'profile',
      responses: {
        200: { description: 'the profile saved', schema: ProfileSchema },
        400: { description: 'invalid_name, or a bad body' },
        409: { description: 'builtin_profile: a built-in profile has that name' },
      },
    },
    async ({ res, body }) => {
      res.json(await profiles.save(host, body.name));
    },
  );
  api.add(
    {
      method: 'delete',
      path: '/tuning/profiles/:name',
      tag,
      summary: 'Forget one of the learner’s own profiles',
      params: ProfileParams,
      responses: {
        200: { description: 'the profiles left', schema: ProfilesSchema },
        404: { description: 'no such profile' },
        409: { description: 'builtin_profile: built-in profiles stay' },
      },
    },
    async ({ res, params }) => {
      await profiles.remove(params.name);
      res.json({ profiles: await profiles.list() });
    },
  );

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

  api.add(
    {
      method: 'get',
      path: '/tuning/knobs',
      tag,
      summary: 'The knob panel: each tuning knob with its value, default, where it is set here and in the original, how a change applies, what it costs',
      responses: { 200: { description: 'every knob', schema: KnobsSchema } },
    },
    async ({ res }) => {
      res.json({ knobs: await readKnobs(host) });
    },
  );
  api.add(
    {
      method: 'put',
      path: '/tuning/knobs/:name',
      tag,
      summary: 'Turn one knob (null: back to its default). Lab knobs apply from the next request (new pools); PostgreSQL knobs by ALTER SYSTEM and a reload',
      params: z.object({ name: z.string().describe('a knob name from GET /lab/v1/tuning/knobs') }),
      body: KnobBody,
      bodyName: 'knob',
      responses: {
        200: { description: 'every knob, as in force now', schema: KnobsSchema },
        400: { description: 'invalid_value (nothing changed) or not_live (the knob needs a restart of the lab)' },
        404: { description: 'not a knob of the panel' },
      },
    },
    async ({ res, params, body }) => {
      res.json({ knobs: await setKnob(host, params.name, body.value).catch(refused) });
    },
  );
  api.add(
    {
      method: 'post',
      path: '/tuning/knobs/reset',
      tag,
      summary: 'Every knob back to its default: the lab’s pools and data layer as the environment set them, every PostgreSQL parameter the lab set',
      responses: { 200: { description: 'every knob, as in force now', schema: KnobsSchema } },
    },
    async ({ res }) => {
      res.json({ knobs: await resetKnobs(host).catch(refused) });
    },
  );
}
