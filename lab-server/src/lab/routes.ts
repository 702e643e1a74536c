import { Router as ExpressRouter } from 'express';
import { z } from 'zod';
import { ApiError, notFound } from '../http/errors.js';
import { jsonBody, parse } from '../http/validation.js';
import { outboxBacklog } from '../messenger/outbox/outbox.js';
import { migrate, migrationStatus, throwIfFailed, type MigrateAction } from '../migrations/index.js';
import { seed } from '../seeding/seed.js';
import { InvalidKeyError } from '../sharding/key.js';
import type { Lab } from './lab.js';
import { eventStream } from './events.js';
import { SettingsPatchSchema } from './settings.js';

const RouteQuery = z.object({ key: z.string({ error: 'key is required' }).min(1, 'key is required') });
const count = (field: string, min: number) =>
  z
    .number({ error: `${field} must be a number` })
    .int(`${field} must be an integer`)
    .min(min, `${field} must be at least ${min}`)
    .max(10_000_000, `${field} must be at most 10,000,000`);
const SeedBody = z
  .strictObject(
    { users: count('users', 0).default(0), conversations: count('conversations', 0).default(0), messages: count('messages', 0).default(0) },
    { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field(s): ${iss.keys.join(', ')}` : 'the body must be a JSON object') },
  )
  .refine((b) => b.users + b.conversations > 0, { message: 'give users (at least 1) or conversations' })
  .refine((b) => b.messages === 0 || b.conversations > 0, { message: 'messages need conversations', path: ['messages'] })
  .refine((b) => b.conversations <= 1_000_000, { message: 'conversations must be at most 1,000,000', path: ['conversations'] });
const MIGRATE_ACTIONS = ['up', 'down', 'latest'] as const satisfies readonly MigrateAction[];

/** The lab's control API (`/lab/v1`): the cluster's shape, routing decisions, migrations, jobs and seeding. */
export function labRoutes(lab: Lab): ExpressRouter {
  const r = ExpressRouter();

  r.get('/topology', (_req, res) => {
    res.json(lab.topology());
  });

  r.get(
    '/events',
    eventStream(lab.events, () => ({
      topology: lab.topology(),
      jobs: lab.jobs.list(),
      settings: lab.settings.get(),
      metrics: lab.metrics.latest(),
      loadtest: lab.loadtests.running(),
    })),
  );

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

  r.get('/outbox', async (_req, res) => {
    res.json(await outboxBacklog(lab.cluster));
  });

  r.get('/settings', (_req, res) => {
    res.json(lab.settings.get());
  });

  r.put('/settings', async (req, res) => {
    res.json(await lab.updateSettings(parse(SettingsPatchSchema, jsonBody(req), 'settings')));
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
    const plan = parse(SeedBody, jsonBody(req), 'seed request');
    const job = lab.jobs.submit('seed', plan, plan.users + plan.conversations + plan.messages, (ctx) => seed(lab.cluster, lab.router, plan, ctx));
    res.status(202).location(`/lab/v1/jobs/${job.id}`).json({ job_id: job.id, job });
  });

  return r;
}
