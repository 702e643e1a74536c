import { z } from 'zod';
import { strictBody } from '../../messenger/schema-parts.js';
import type { ApiRouter } from '../api-router.js';
import { ApiError, notFound } from '../errors.js';
import { outboxBacklog } from '../../messenger/outbox/outbox.js';
import { migrate, migrationStatus, throwIfFailed, type MigrateAction } from '../../migrations/index.js';
import { seed } from '../../seeding/seed.js';
import { InvalidKeyError } from '../../sharding/key.js';
import type { Lab } from '../../lab/lab.js';
import { eventStream } from '../event-stream.js';
import { SettingsPatchSchema } from '../../lab/settings.js';
import {
  JobAcceptedSchema,
  JobId,
  JobSchema,
  LabSettingsSchema,
  MigrateReportSchema,
  MigrationStatusSchema,
  OutboxBacklogSchema,
  RouteSchema,
  TopologySchema,
} from '../schemas/lab.js';

const RouteQuery = z.object({ key: z.string({ error: 'key is required' }).min(1, 'key is required').describe('a user id (UUID, any letter case)') });
const EventsQuery = z.object({ channels: z.string().optional().describe('comma-separated channels to receive (default: all), e.g. topology,job') });
const count = (field: string, min: number) =>
  z
    .number({ error: `${field} must be a number` })
    .int(`${field} must be an integer`)
    .min(min, `${field} must be at least ${min}`)
    .max(10_000_000, `${field} must be at most 10,000,000`);
const SeedBody = strictBody({
  users: count('users', 0).default(0),
  conversations: count('conversations', 0).default(0),
  messages: count('messages', 0).default(0),
})
  .refine((b) => b.users + b.conversations > 0, { message: 'give users (at least 1) or conversations' })
  .refine((b) => b.messages === 0 || b.conversations > 0, { message: 'messages need conversations', path: ['messages'] })
  .refine((b) => b.conversations <= 1_000_000, { message: 'conversations must be at most 1,000,000', path: ['conversations'] });
const MIGRATE_ACTIONS = ['up', 'down', 'latest'] as const satisfies readonly MigrateAction[];

/** The lab's control API (`/lab/v1`): the cluster's shape, routing decisions, migrations, jobs and seeding. */
export function labRoutes(
  api: ApiRouter,
  lab: Pick<Lab, 'cluster' | 'config' | 'events' | 'jobs' | 'loadtests' | 'metrics' | 'migrationTargets' | 'ring' | 'settings' | 'topology' | 'updateSettings'>,
): void {
  const tag = 'lab: cluster';
  const noJob = { description: 'no such job' };

  api.add(
    {
      method: 'get',
      path: '/topology',
      tag,
      summary: 'Shards, replicas, the ring, its versions, recent jobs and read counts',
      responses: { 200: { description: 'the topology', schema: TopologySchema } },
    },
    ({ res }) => {
      res.json(lab.topology());
    },
  );

  const stream = eventStream(lab.events, () => ({
    topology: lab.topology(),
    jobs: lab.jobs.list(),
    settings: lab.settings.get(),
    metrics: lab.metrics.latest(),
    loadtest: lab.loadtests.running(),
  }));
  api.add(
    {
      method: 'get',
      path: '/events',
      tag: 'lab: events',
      summary: 'Server-Sent Events: a hello snapshot, then topology, job, settings, metrics and loadtest events',
      description: 'Channels and fields: docs/events.md.',
      query: EventsQuery,
      responses: { 200: { description: 'an endless event stream', mediaType: 'text/event-stream', schema: z.string() } },
    },
    ({ req, res, query }) => {
      stream(req, res, query.channels);
    },
  );

  api.add(
    {
      method: 'get',
      path: '/route',
      tag,
      summary: 'Which shard owns a key, and why: normalised key, hash, vnode, shard',
      query: RouteQuery,
      responses: { 200: { description: 'the routing decision', schema: RouteSchema } },
    },
    ({ res, query }) => {
      try {
        res.json(lab.ring.router.route(query.key));
      } catch (err) {
        if (err instanceof InvalidKeyError) throw new ApiError(400, 'invalid_key', `${err.message}; keys are user ids (UUIDs).`, { field: 'key' });
        throw err;
      }
    },
  );

  api.add(
    {
      method: 'get',
      path: '/migrations',
      tag: 'lab: migrations',
      summary: 'Applied and pending migrations per shard',
      responses: { 200: { description: 'per shard', schema: MigrationStatusSchema } },
    },
    async ({ res }) => {
      res.json({ shards: await migrationStatus(lab.migrationTargets(), lab.config.migrationsDir) });
    },
  );

  api.add(
    {
      method: 'post',
      path: '/migrations/:action',
      tag: 'lab: migrations',
      summary: 'Apply the next (up) or every (latest) pending migration, or roll back the last (down), on every shard',
      params: z.object({ action: z.string().describe('up, down or latest') }),
      responses: {
        200: { description: 'the per-shard report', schema: MigrateReportSchema },
        404: { description: 'not one of up, down, latest' },
        409: { description: 'migration_failed: details.report names each failing shard and migration' },
      },
    },
    async ({ res, params }) => {
      const action = MIGRATE_ACTIONS.find((a) => a === params.action);
      if (!action) throw notFound(`Unknown migration action '${params.action}'; use up, down or latest.`);
      res.json(throwIfFailed(await migrate(lab.migrationTargets(), lab.config.migrationsDir, action)));
    },
  );

  api.add(
    {
      method: 'get',
      path: '/outbox',
      tag: 'lab: messenger',
      summary: 'Outbox events not yet applied, per shard',
      responses: { 200: { description: 'the backlog', schema: OutboxBacklogSchema } },
    },
    async ({ res }) => {
      res.json(await outboxBacklog(lab.cluster));
    },
  );

  api.add(
    {
      method: 'get',
      path: '/settings',
      tag: 'lab: settings',
      summary: 'The run-time knobs',
      responses: { 200: { description: 'the settings', schema: LabSettingsSchema } },
    },
    ({ res }) => {
      res.json(lab.settings.get());
    },
  );

  api.add(
    {
      method: 'put',
      path: '/settings',
      tag: 'lab: settings',
      summary: 'Change run-time knobs: the data layer of the hot endpoints, the read policy',
      body: SettingsPatchSchema,
      bodyName: 'settings',
      responses: { 200: { description: 'the settings now', schema: LabSettingsSchema } },
    },
    async ({ res, body }) => {
      res.json(await lab.updateSettings(body));
    },
  );

  api.add(
    {
      method: 'get',
      path: '/jobs',
      tag: 'lab: jobs',
      summary: 'Every job, newest first',
      responses: { 200: { description: 'the jobs', schema: z.object({ jobs: z.array(JobSchema) }) } },
    },
    ({ res }) => {
      res.json({ jobs: lab.jobs.list() });
    },
  );

  const params = z.object({ id: JobId });
  api.add(
    {
      method: 'get',
      path: '/jobs/:id',
      tag: 'lab: jobs',
      summary: 'One job: state, phase, progress, notes, result',
      params,
      responses: { 200: { description: 'the job', schema: JobSchema }, 404: noJob },
    },
    ({ res, params }) => {
      const job = lab.jobs.get(params.id);
      if (!job) throw notFound(`No job ${params.id}.`);
      res.json(job);
    },
  );

  api.add(
    {
      method: 'post',
      path: '/jobs/:id/continue',
      tag: 'lab: jobs',
      summary: 'A job holding before a step (pause_before) goes on',
      params,
      responses: { 202: { description: 'the job', schema: JobSchema }, 404: noJob, 409: { description: 'not_waiting: the job is not holding' } },
    },
    ({ res, params }) => {
      const job = lab.jobs.get(params.id);
      if (!job) throw notFound(`No job ${params.id}.`);
      if (!lab.jobs.resume(job.id)) throw new ApiError(409, 'not_waiting', `Job ${job.id} is not waiting to continue (state ${job.state}).`);
      res.status(202).json(lab.jobs.get(job.id));
    },
  );

  api.add(
    {
      method: 'post',
      path: '/jobs/:id/cancel',
      tag: 'lab: jobs',
      summary: 'Cancel a job: a seed keeps no rows, a shard change returns to the previous topology',
      params,
      responses: { 202: { description: 'the job', schema: JobSchema }, 404: noJob },
    },
    ({ res, params }) => {
      const job = lab.jobs.cancel(params.id);
      if (!job) throw notFound(`No job ${params.id}.`);
      res.status(202).json(job);
    },
  );

  api.add(
    {
      method: 'post',
      path: '/seed',
      tag: 'lab: messenger',
      summary: 'Generate users, conversations and messages, routed by the ring and loaded with COPY (a job)',
      body: SeedBody,
      bodyName: 'seed request',
      responses: { 202: { description: 'started; Location: the job', schema: JobAcceptedSchema } },
    },
    ({ res, body: plan }) => {
      const job = lab.jobs.submit('seed', plan, plan.users + plan.conversations + plan.messages, (ctx) => seed(lab.cluster, lab.ring.router, plan, ctx));
      res.status(202).location(`/lab/v1/jobs/${job.id}`).json({ job_id: job.id, job });
    },
  );
}
