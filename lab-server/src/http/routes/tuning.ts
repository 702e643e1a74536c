import { z } from 'zod';
import type { Lab } from '../../lab/lab.js';
import { knobHost } from '../../tuning/host.js';
import { readKnobs, resetKnobs, setKnob } from '../../tuning/knobs.js';
import type { ApiRouter } from '../api-router.js';
import { ApiError } from '../errors.js';
import { isTunable, TUNABLE_PARAMETERS } from '../../tuning/parameters.js';
import { ParameterPrivilegeError, ParameterValueError, readParameters, setParameter } from '../../tuning/service.js';

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

/** What the tuning routes need of the lab: its shards, settings and load tests (the panel marks changes on a running test). */
export type TuningTarget = Pick<Lab, 'cluster' | 'settings' | 'config' | 'workers' | 'loadtests' | 'updateSettings'>;

/** `/lab/v1/tuning`: the PostgreSQL parameters a learner may change (an allow-list, instead of ALTER SYSTEM in the console). */
export function tuningRoutes(api: ApiRouter, lab: TuningTarget): void {
  const tag = 'lab: tuning';
  const host = knobHost(lab);
  const refused = (err: unknown): never => {
    if (err instanceof ParameterValueError) throw new ApiError(400, 'invalid_value', `${err.message}. Nothing was changed.`, { shard: err.shard });
    if (err instanceof ParameterPrivilegeError) throw new ApiError(409, 'not_permitted', `${err.message} Nothing was changed.`);
    throw err;
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
