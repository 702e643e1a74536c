import { z } from 'zod';
import type { Lab } from '../../lab/lab.js';
import { knobHost } from '../../tuning/host.js';
import { readKnobs, resetKnobs, setKnob } from '../../tuning/knobs.js';
import type { ApiRouter } from '../api-router.js';
import { ApiError } from '../errors.js';
import { isTunable, TUNABLE_PARAMETERS } from '../../tuning/parameters.js';
import { ParameterPrivilegeError, ParameterValueError, readParameters, setParameter } from '../../tuning/service.js';
import { clearCrashRuns, crashRun, listCrashRuns } from '../../tuning/durability.js';
import { Profiles } from '../../tuning/profiles.js';
import { assertRestartable, restartShards } from '../../tuning/restart.js';
import { JobAcceptedSchema } from '../schemas/lab.js';
import { resetStatements, topStatements } from '../../tuning/statements.js';
import {
  TuningSchema,
  SetBody,
  KnobsSchema,
  KnobBody,
  StatementsQuery,
  StatementsSchema,
  CrashBody,
  CrashRunSchema,
  CrashRunsSchema,
  ProfileSchema,
  ProfilesSchema,
  SaveProfileBody,
  ProfileParams,
} from '../schemas/tuning.js';

/** What the tuning routes need of the lab: its shards, settings and load tests (the panel marks changes on a running test). */
export type TuningTarget = Pick<Lab, 'cluster' | 'settings' | 'config' | 'preforkWorkers' | 'setWorkers' | 'loadtests' | 'updateSettings' | 'jobs'>;

/** Names the shards a look could not read, when there are any. */
const silent = (unanswered: string[]) => (unanswered.length > 0 ? { unanswered } : {});

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
      const { read, unanswered } = await topStatements(pickShards(query.shard), query);
      res.json({ by: query.by, shards: read, ...silent(unanswered) });
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
      const { read, unanswered } = await topStatements(host.shards(), { by: 'total', limit: 10 });
      res.json({ by: 'total', shards: read, ...silent(unanswered) });
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
