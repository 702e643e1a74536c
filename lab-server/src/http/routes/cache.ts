import { z } from 'zod';
import { cacheTrials } from '../../caching/trial.js';
import { userCache } from '../../caching/user-cache.js';
import type { Lab } from '../../lab/lab.js';
import { SelfClient } from '../../net/self-client.js';
import type { ApiRouter } from '../api-router.js';
import { ApiError } from '../errors.js';
import { CacheStatusSchema, CacheTrialSchema } from '../schemas/cache.js';

const strictError = {
  error: (iss: { code?: string; keys?: string[] }) =>
    iss.code === 'unrecognized_keys' ? `unknown field(s): ${(iss.keys ?? []).join(', ')}` : 'the body must be a JSON object',
};

const SetBody = z.strictObject(
  {
    mode: z.enum(['off', 'ttl-only', 'invalidate'], { error: 'mode must be off, ttl-only or invalidate' }),
    ttl_s: z
      .number({ error: 'ttl_s must be a number' })
      .int('ttl_s must be an integer')
      .min(1, 'ttl_s must be at least 1')
      .max(86_400, 'ttl_s must be at most 86,400 (a day)')
      .default(900),
  },
  strictError,
);
const TrialBody = z.strictObject(
  {
    users: z
      .number({ error: 'users must be a number' })
      .int('users must be an integer')
      .min(1, 'users must be at least 1')
      .max(200, 'users must be at most 200')
      .default(20),
    rounds: z
      .number({ error: 'rounds must be a number' })
      .int('rounds must be an integer')
      .min(1, 'rounds must be at least 1')
      .max(100, 'rounds must be at most 100')
      .default(10),
  },
  strictError,
);

const BACKEND = 'a map in the API process, with an expiry per entry (no Redis or Valkey on this machine)';

/** `/lab/v1/cache`: cache-aside for users by id, its counts, and a trial of it without and with invalidation. */
export function cacheRoutes(api: ApiRouter, lab: Pick<Lab, 'workers' | 'config'>): void {
  const tag = 'lab: cache';
  const status = () => ({ ...userCache.stats(), backend: BACKEND, last_trial: cacheTrials.last() });
  const oneProcess = () => {
    if (lab.workers > 1) throw new ApiError(409, 'not_available', 'The cache lives in one API process; start the lab without LAB_WORKERS to use it.');
  };

  api.add(
    {
      method: 'get',
      path: '/cache',
      tag,
      summary: 'Cache-aside for GET /api/v1/users/:id: the mode, expiry, entries, hits, misses, invalidations, and the last trial',
      responses: { 200: { description: 'the cache', schema: CacheStatusSchema } },
    },
    ({ res }) => {
      res.json(status());
    },
  );

  api.add(
    {
      method: 'put',
      path: '/cache',
      tag,
      summary: 'Turn the users cache off, on without invalidation (ttl-only) or on with invalidation on write; it starts empty',
      body: SetBody,
      bodyName: 'cache',
      responses: { 200: { description: 'the cache now', schema: CacheStatusSchema }, 409: { description: 'not_available: prefork workers' } },
    },
    ({ res, body }) => {
      if (body.mode !== 'off') oneProcess();
      userCache.configure(body.mode, body.ttl_s);
      res.json(status());
    },
  );

  api.add(
    {
      method: 'post',
      path: '/cache/trial',
      tag,
      summary:
        'Read-mostly trial, without then with invalidation: users read by id each round, one renamed and read back; hit ratio and stale reads (the mode is put back)',
      body: TrialBody,
      bodyOptional: true,
      bodyName: 'trial request',
      responses: {
        200: { description: 'each mode', schema: CacheTrialSchema },
        409: { description: 'not_available: prefork workers; trial_running: one at a time' },
      },
    },
    async ({ req, res, body }) => {
      oneProcess();
      res.json(await cacheTrials.run(SelfClient.from(req, lab.config.token), body.users, body.rounds));
    },
  );

  api.add(
    {
      method: 'delete',
      path: '/cache/trial',
      tag,
      summary: 'Forget the last cache trial (a chapter reset does)',
      responses: { 204: { description: 'forgotten' } },
    },
    ({ res }) => {
      cacheTrials.forget();
      res.status(204).end();
    },
  );
}
