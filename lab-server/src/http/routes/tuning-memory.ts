import { ConflictError } from '../../domain/errors.js';
import type { Lab } from '../../lab/lab.js';
import { ConnectionMemoryInput, type ConnectionMemoryResult, LastConnectionMemory } from '../../contracts/connection-memory.js';
import { fdLimits, measureConnectionMemory, planConnections } from '../../tuning/connection-memory.js';
import type { ApiRouter } from '../api-router.js';
import { JobAcceptedSchema } from '../schemas/lab.js';

/**
 * `/lab/v1/tuning/connection-memory`: what an open keep-alive connection costs a Node HTTP server, measured in a
 * server of its own, beside the original's "4 KB per connection, 512K ≈ 2 GB" for Fiber.
 */
export function tuningMemoryRoutes(api: ApiRouter, lab: Pick<Lab, 'jobs'>): void {
  const tag = 'lab: tuning';
  let last: ConnectionMemoryResult | null = null;
  // One trial at a time: two servers with thousands of connections each would share the machine's descriptors.
  let running = false;
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
      if (running) throw new ConflictError('trial_running', 'A connection-memory trial is already running; wait for it to finish (GET /lab/v1/jobs).');
      running = true;
      const job = lab.jobs.submit('connection-memory', { connections: body.connections }, body.connections, async (ctx) => {
        try {
          last = await measureConnectionMemory(body.connections, ctx);
          return { ...last };
        } finally {
          running = false;
        }
      });
      res.status(202).location(`/lab/v1/jobs/${job.id}`).json({ job_id: job.id, job });
    },
  );
}
