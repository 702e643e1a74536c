import { ConflictError } from '../../domain/errors.js';
import type { Lab } from '../../lab/lab.js';
import { ConnectionMemoryInput, type ConnectionMemoryResult, LastConnectionMemory } from '../../contracts/connection-memory.js';
import { fdLimits, measureConnectionMemory, planConnections } from '../../tuning/connection-memory.js';
import type { ApiRouter } from '../api-router.js';
import { JobAcceptedSchema } from '../schemas/lab.js';

const KIND = 'connection-memory';

/**
 * `/lab/v1/tuning/connection-memory`: what an open keep-alive connection costs a Node HTTP server, measured in a
 * server of its own, beside the original's "4 KB per connection, 512K ≈ 2 GB" for Fiber.
 */
export function tuningMemoryRoutes(api: ApiRouter, lab: Pick<Lab, 'jobs'>): void {
  const tag = 'lab: tuning';
  let last: ConnectionMemoryResult | null = null;
  api.add(
    {
      method: 'get',
      path: '/tuning/connection-memory',
      tag,
      summary: 'The last connection-memory trial (POST /lab/v1/tuning/connection-memory): bytes per open connection and what 512K would take',
      responses: { 200: { description: 'the last result, or null', schema: LastConnectionMemory } },
    },
    async ({ res }) => {
      res.json({ result: last });
    },
  );
  api.add(
    {
      method: 'post',
      path: '/tuning/connection-memory',
      tag,
      summary:
        "Memory per open connection: a bare Node HTTP server in a child process, its RSS and heap at rest and with N keep-alive connections open (each answered once), extrapolated to the original's 524,288; a job",
      description:
        'N is capped by the file-descriptor limit (ulimit -n) with headroom; the result says when it was. The server is stopped by its pid when the trial ends. See docs/tuning.md, "Memory per connection".',
      body: ConnectionMemoryInput,
      bodyName: 'connection-memory trial',
      responses: {
        202: { description: 'started; Location: the job (result: a ConnectionMemoryResult)', schema: JobAcceptedSchema },
        400: { description: 'a bad body' },
        409: { description: 'fd_limit: ulimit -n leaves too few descriptors for a trial; trial_running: one is running' },
      },
    },
    ({ res, body }) => {
      planConnections(body.connections, fdLimits());
      // Jobs run one at a time, so a second trial would only wait behind the first to measure the same thing.
      const inFlight = lab.jobs.list().find((j) => j.kind === KIND && (j.state === 'queued' || j.state === 'running'));
      if (inFlight) throw new ConflictError('trial_running', `A connection-memory trial is already running (job ${inFlight.id}); wait for it to finish.`);
      const job = lab.jobs.submit(KIND, { connections: body.connections }, body.connections, async (ctx) => {
        last = await measureConnectionMemory(body.connections, ctx);
        return { ...last };
      });
      res.status(202).location(`/lab/v1/jobs/${job.id}`).json({ job_id: job.id, job });
    },
  );
}
