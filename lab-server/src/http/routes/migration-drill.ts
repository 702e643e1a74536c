import { z } from 'zod';
import type { ApiRouter } from '../api-router.js';
import type { Lab } from '../../lab/lab.js';
import { SelfClient } from '../../net/self-client.js';
import {
  CrashReportSchema,
  DdlBody,
  DdlReportSchema,
  DriftBody,
  DriftReportSchema,
  DrillCrashBody,
  DrillFaultBody,
  DrillFaultsQuery,
  DrillRunBody,
  DrillStatusSchema,
  DrillRunReportSchema,
  LockQueueBody,
  LockQueueReportSchema,
  ProbeReportSchema,
  AppRequestsReportSchema,
  DrillRequestsBody,
  RenameBody,
  RenameReportSchema,
} from '../schemas/migration-drill.js';

/** `/lab/v1/migration-drill`: the Migrations chapter's drills on schema `lab_drill` of every shard (never the messenger's). */
export function migrationDrillRoutes(api: ApiRouter, lab: Pick<Lab, 'migrationDrill' | 'config'>): void {
  const tag = 'lab: migration drills';
  const drill = lab.migrationDrill;
  const badInput = { description: 'validation_failed: unknown shard or migration, or a malformed body; nothing changed' };

  api.add(
    {
      method: 'get',
      path: '/migration-drill',
      tag,
      summary: 'Each drill migration per shard (applied, pending, failed, running), injected faults, both kinds of lock, the latest runs',
      responses: { 200: { description: 'the matrix', schema: DrillStatusSchema } },
    },
    async ({ res }) => {
      res.json(await drill.status());
    },
  );

  api.add(
    {
      method: 'post',
      path: '/migration-drill/run',
      tag,
      summary: "Run the drill set on every shard with the lab's runner (advisory lock) or the original's (boolean lock row)",
      description: 'A shard that fails is reported (ok: false, shards[].failed), not an error: the drill is meant to fail when a fault is injected.',
      body: DrillRunBody,
      bodyName: 'drill run',
      responses: { 200: { description: 'per shard: what ran, how long each took, why it stopped', schema: DrillRunReportSchema }, 400: badInput },
    },
    async ({ res, body }) => {
      res.json(await drill.run(body.action, body.mode, body.pause_s));
    },
  );

  api.add(
    {
      method: 'post',
      path: '/migration-drill/faults',
      tag,
      summary: 'Make one drill migration fail on one shard (until the faults are cleared)',
      body: DrillFaultBody,
      bodyName: 'fault',
      responses: { 200: { description: 'the matrix, with the fault', schema: DrillStatusSchema }, 400: badInput },
    },
    async ({ res, body }) => {
      await drill.injectFault(body.shard, body.migration);
      res.json(await drill.status());
    },
  );

  api.add(
    {
      method: 'delete',
      path: '/migration-drill/faults',
      tag,
      summary: 'Clear the injected faults: the fix before resuming',
      query: DrillFaultsQuery,
      responses: { 200: { description: 'how many faults were removed', schema: z.object({ removed: z.number() }) }, 400: badInput },
    },
    async ({ res, query }) => {
      res.json({ removed: await drill.clearFaults(query.shard) });
    },
  );

  api.add(
    {
      method: 'post',
      path: '/migration-drill/crash',
      tag,
      summary: 'Start `up` with the chosen runner, kill its sessions inside the migration, and show both locks during and after',
      body: DrillCrashBody,
      bodyName: 'crash',
      responses: {
        200: { description: 'locks during and after the kill, what was killed, the verdict', schema: CrashReportSchema },
        400: badInput,
        409: { description: 'nothing_pending: every drill migration is applied on some shard; roll one back first' },
      },
    },
    async ({ res, body }) => {
      res.json(await drill.crash(body.mode));
    },
  );

  api.add(
    {
      method: 'post',
      path: '/migration-drill/unlock',
      tag,
      summary: "Free the original's lock row on every shard, its documented way: UPDATE migration_lock SET locked = false WHERE id = 1",
      responses: { 200: { description: 'the shards whose row was locked', schema: z.object({ freed: z.array(z.string()) }) } },
    },
    async ({ res }) => {
      res.json({ freed: await drill.unlock() });
    },
  );

  api.add(
    {
      method: 'post',
      path: '/migration-drill/probe',
      tag,
      summary: 'Try the write a new app version makes (needs every drill column) on every shard, rolled back: where the schema lags, it fails',
      responses: { 200: { description: 'per shard: ok, or PostgreSQL’s error', schema: ProbeReportSchema } },
    },
    async ({ res }) => {
      res.json(await drill.probe());
    },
  );

  api.add(
    {
      method: 'post',
      path: '/migration-drill/requests',
      tag,
      summary:
        "Send the new app version's own requests through the messenger API (POST and GET /api/v1/users/:id/notes) for one user on every shard: where the drill migrations lag, they fail there only",
      description: 'Creates one messenger user per shard through the API the first time (kept until the chapter is reset).',
      body: DrillRequestsBody,
      bodyName: 'requests',
      responses: {
        200: { description: 'each request: shard, status, the API’s error', schema: AppRequestsReportSchema },
        400: badInput,
        409: { description: 'users_failed: no drill user could be created on some shard' },
      },
    },
    async ({ req, res, body }) => {
      res.json(await drill.requests(SelfClient.from(req, lab.config.token), body.app_version));
    },
  );

  api.add(
    {
      method: 'post',
      path: '/migration-drill/rename',
      tag,
      summary:
        'Rename lab_drill.notes.body to text on every shard while one client per shard keeps using the notes API: in one step, or by expand and contract (add, dual-write, backfill in batches, switch reads, drop)',
      description: 'Every request is counted in the step it began in. The notes table is brought back to `body` first, so the drill can be run again.',
      body: RenameBody,
      bodyName: 'rename',
      responses: {
        200: { description: 'each step: what changed, the app version, requests and failures', schema: RenameReportSchema },
        400: badInput,
        409: { description: 'drill_not_latest: run the drill migrations to the latest first; rename_busy: one is running' },
      },
    },
    async ({ req, res, body }) => {
      res.json(await drill.rename(SelfClient.from(req, lab.config.token), body.mode));
    },
  );

  api.add(
    {
      method: 'post',
      path: '/migration-drill/lock-queue',
      tag,
      summary:
        "On one shard: a long transaction holds users, a migration's ALTER TABLE queues behind it, and reads queue behind the ALTER; measured (the ALTER is rolled back)",
      description: 'With lock_timeout_ms the ALTER gives up after that long, lets the queue drain and retries. Reads slower than 100 ms count as stalled.',
      body: LockQueueBody,
      bodyName: 'lock queue',
      responses: {
        200: { description: 'the ALTER, the reads, and who waited for whom', schema: LockQueueReportSchema },
        400: badInput,
        409: { description: 'no_loadtest: under_load asked, and no load test is running; loadtest_ended: it ended during the drill' },
      },
    },
    async ({ res, body }) => {
      res.json(await drill.lockQueue(body.shard, { hold_ms: body.hold_ms, lock_timeout_ms: body.lock_timeout_ms }, body.under_load));
    },
  );

  api.add(
    {
      method: 'post',
      path: '/migration-drill/ddl',
      tag,
      summary:
        'On one shard: one schema change (CREATE INDEX, … CONCURRENTLY, ADD COLUMN with a constant or a volatile default) on a probe table while inserts stream into it; measured',
      description:
        'The probe table (lab_drill.ddl_probe) is built with `rows` rows first and dropped afterwards. Reports how long the change took, whether it rewrote the table, the lock it held, and how long the inserts around it waited.',
      body: DdlBody,
      bodyName: 'schema change',
      responses: {
        200: { description: 'the change, its lock, and the inserts around it', schema: DdlReportSchema },
        400: badInput,
        409: { description: 'ddl_busy: a schema-change drill is already running on that shard' },
      },
    },
    async ({ res, body }) => {
      res.json(await drill.ddl(body.shard, body.change, body.rows));
    },
  );

  api.add(
    {
      method: 'get',
      path: '/migration-drill/drift',
      tag,
      summary: "Schema drift: every shard's messenger schema (tables, columns, indexes, constraints) and applied migrations against what most shards have",
      responses: { 200: { description: 'each difference, named by shard', schema: DriftReportSchema } },
    },
    async ({ res }) => {
      res.json(await drill.drift());
    },
  );

  api.add(
    {
      method: 'post',
      path: '/migration-drill/drift',
      tag,
      summary: 'Change one shard by hand, the way drift happens: an index on users that no migration made (one shard at random unless named)',
      description: 'The Migrations chapter’s reset (DELETE /lab/v1/migration-drill) drops the index again.',
      body: DriftBody,
      bodyName: 'drift',
      responses: { 200: { description: 'done; which shard is not said', schema: z.object({ introduced: z.literal(true) }) }, 400: badInput },
    },
    async ({ res, body }) => {
      await drill.introduceDrift(body.shard);
      res.json({ introduced: true as const });
    },
  );

  api.add(
    {
      method: 'delete',
      path: '/migration-drill',
      tag,
      summary: 'Drop the drill schema (lab_drill) on every shard and forget the runs: no drill at all',
      responses: { 200: { description: 'done', schema: z.object({ reset: z.literal(true) }) } },
    },
    async ({ res }) => {
      await drill.reset();
      res.json({ reset: true as const });
    },
  );
}
