import { z } from 'zod';
import type { Shard } from '../../cluster/cluster.js';
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

/** What the tuning routes need of the lab: its shards. */
export interface TuningTarget {
  cluster: { readonly shards: readonly Shard[] };
}

/** `/lab/v1/tuning`: the PostgreSQL parameters a learner may change (an allow-list, instead of ALTER SYSTEM in the console). */
export function tuningRoutes(api: ApiRouter, lab: TuningTarget): void {
  const tag = 'lab: tuning';
  api.add(
    {
      method: 'get',
      path: '/tuning/parameters',
      tag,
      summary: 'The PostgreSQL parameters the lab may change, as every shard has them now',
      responses: { 200: { description: 'per shard, the allowed parameters', schema: TuningSchema } },
    },
    async ({ res }) => {
      res.json({ shards: await readParameters(lab.cluster.shards) });
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
      const all = lab.cluster.shards;
      const unknown = (body.shards ?? []).filter((n) => !all.some((s) => s.name === n));
      if (unknown.length)
        throw new ApiError(404, 'not_found', `No shard ${unknown.join(', ')}; the shards are ${all.map((s) => s.name).join(', ')}.`, { shards: unknown });
      const targets = body.shards ? all.filter((s) => body.shards!.includes(s.name)) : all;
      try {
        res.json({ shards: await setParameter(targets, params.name, body.value) });
      } catch (err) {
        if (err instanceof ParameterValueError) throw new ApiError(400, 'invalid_value', `${err.message}. Nothing was changed.`, { shard: err.shard });
        if (err instanceof ParameterPrivilegeError) throw new ApiError(409, 'not_permitted', `${err.message} Nothing was changed.`);
        throw err;
      }
    },
  );
}
