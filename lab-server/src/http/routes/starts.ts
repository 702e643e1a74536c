import type { Lab } from '../../lab/lab.js';
import type { ApiRouter } from '../api-router.js';
import { JobAcceptedSchema } from '../schemas/lab.js';
import { StartBody, StartsDroppedSchema, StartsSchema } from '../schemas/starts.js';

/** `/lab/v1/starts`: the data chapters start from, snapshotted on every shard and restored by cloning. */
export function startRoutes(api: ApiRouter, lab: Pick<Lab, 'starts' | 'jobs' | 'ring' | 'config'>): void {
  const tag = 'lab: chapter starts';

  api.add(
    {
      method: 'get',
      path: '/starts',
      tag,
      summary: 'The start snapshots the lab keeps on every shard (databases named lab_start_…), with what each holds',
      responses: { 200: { description: 'the snapshots', schema: StartsSchema } },
    },
    async ({ res }) => {
      res.json({ external: lab.config.externalShards !== null, snapshots: await lab.starts.snapshots() });
    },
  );

  api.add(
    {
      method: 'post',
      path: '/starts',
      tag,
      summary:
        "Bring every shard's data to a start: cloned from its snapshot (about a second), or seeded and snapshotted the first time (a job). The ring must have the configured shards.",
      body: StartBody,
      bodyName: 'start',
      responses: {
        202: { description: 'started; Location: the job', schema: JobAcceptedSchema },
        409: {
          description: 'shard_not_up: a shard is down (start it first; nothing changed); ring_not_at_start (reported by the job): add or remove shards first',
        },
      },
    },
    ({ res, body: spec }) => {
      lab.starts.assertEveryShardUp();
      const job = lab.jobs.submit('restore-start', spec, spec.users + spec.conversations + spec.messages, (ctx) =>
        lab.ring.changeTopology(() => lab.starts.restore(spec, ctx)),
      );
      res.status(202).location(`/lab/v1/jobs/${job.id}`).json({ job_id: job.id, job });
    },
  );

  api.add(
    {
      method: 'delete',
      path: '/starts',
      tag,
      summary: 'Drop every start snapshot (to free disk); each is built again the next time a chapter starts from it',
      responses: { 200: { description: 'the snapshots dropped', schema: StartsDroppedSchema } },
    },
    async ({ res }) => {
      res.json({ dropped: await lab.starts.dropSnapshots() });
    },
  );
}
