import { Router as ExpressRouter } from 'express';
import { z } from 'zod';
import { ApiError, notFound } from '../http/errors.js';
import { jsonBody, parse } from '../http/validation.js';
import { migrate, migrationStatus, throwIfFailed, type MigrateAction } from '../migrations/index.js';
import { seedUsers } from '../seeding/seed-users.js';
import { InvalidKeyError } from '../sharding/key.js';
import type { Lab } from './lab.js';
import { eventStream } from './events.js';
import { SettingsPatchSchema } from './settings.js';

const RouteQuery = z.object({ key: z.string({ error: 'key is required' }).min(1, 'key is required') });
const SeedBody = z.strictObject(
  {
    users: z
      .number({ error: 'users must be a number' })
      .int('users must be an integer')
      .min(1, 'users must be at least 1')
      .max(10_000_000, 'users must be at most 10,000,000'),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field(s): ${iss.keys.join(', ')}` : 'the body must be a JSON object') },
);
const MIGRATE_ACTIONS = ['up', 'down', 'latest'] as const satisfies readonly MigrateAction[];

/** The lab's control API (`/lab/v1`): the cluster's shape, routing decisions, migrations, jobs and seeding. */
export function labRoutes(lab: Lab): ExpressRouter {
  const r = ExpressRouter();

  r.get('/topology', (_req, res) => {
    res.json(lab.topology());
  });

  r.get('/events', eventStream(lab.events, () => ({ topology: lab.topology(), jobs: lab.jobs.list(), settings: lab.settings.get() })));

  r.get('/route', (req, res) => {
    const { key } = parse(RouteQuery, req.query, 'query');
    try {
      res.json(lab.router.route(key));
    } catch (err) {
      if (err instanceof InvalidKeyError) throw new ApiError(400, 'invalid_key', `${err.message}; keys are user ids (UUIDs).`, { field: 'key' });
      throw err;
    }
  });

  r.get('/migrations', async (_req, res) => {
    res.json({ shards: await migrationStatus(lab.migrationTargets(), lab.config.migrationsDir) });
  });

  r.post('/migrations/:action', async (req, res) => {
    const action = MIGRATE_ACTIONS.find((a) => a === req.params.action);
    if (!action) throw notFound(`Unknown migration action '${req.params.action}'; use up, down or latest.`);
    res.json(throwIfFailed(await migrate(lab.migrationTargets(), lab.config.migrationsDir, action)));
  });

  r.get('/settings', (_req, res) => {
    res.json(lab.settings.get());
  });

  r.put('/settings', (req, res) => {
    res.json(lab.settings.update(parse(SettingsPatchSchema, jsonBody(req), 'settings')));
  });

  r.get('/jobs', (_req, res) => {
    res.json({ jobs: lab.jobs.list() });
  });

  r.get('/jobs/:id', (req, res) => {
    const job = lab.jobs.get(req.params.id);
    if (!job) throw notFound(`No job ${req.params.id}.`);
    res.json(job);
  });

  r.post('/jobs/:id/continue', (req, res) => {
    const job = lab.jobs.get(req.params.id);
    if (!job) throw notFound(`No job ${req.params.id}.`);
    if (!lab.jobs.resume(job.id)) throw new ApiError(409, 'not_waiting', `Job ${job.id} is not waiting to continue (state ${job.state}).`);
    res.status(202).json(lab.jobs.get(job.id));
  });

  r.post('/jobs/:id/cancel', (req, res) => {
    const job = lab.jobs.cancel(req.params.id);
    if (!job) throw notFound(`No job ${req.params.id}.`);
    res.status(202).json(job);
  });

  r.post('/seed', (req, res) => {
    const { users } = parse(SeedBody, jsonBody(req), 'seed request');
    const job = lab.jobs.submit('seed', { users }, users, (ctx) => seedUsers(lab.cluster, lab.router, users, ctx));
    res.status(202).location(`/lab/v1/jobs/${job.id}`).json({ job_id: job.id, job });
  });

  return r;
}
