import { z } from 'zod';
import type { ReadPolicy } from '../../cluster/reads.js';
import { ReadLoadRequestSchema, ReadLoadTrialSchema } from '../../contracts/read-load.js';
import type { Lab } from '../../lab/lab.js';
import { SelfClient } from '../../net/self-client.js';
import type { TrialHost } from '../../reads/trial.js';
import type { ApiRouter } from '../api-router.js';
import { ApiError } from '../errors.js';
import { ReadsSchema, ReadTrialSchema } from '../schemas/reads.js';

const POLICIES = ['primary', 'replica', 'read-your-writes'] as const;
const TrialBody = z.strictObject(
  {
    pairs: z
      .number({ error: 'pairs must be a number' })
      .int('pairs must be an integer')
      .min(1, 'pairs must be at least 1')
      .max(2000, 'pairs must be at most 2,000')
      .default(200),
    policies: z
      .array(z.enum(POLICIES, { error: 'policies take primary, replica or read-your-writes' }))
      .min(1, 'name at least one policy')
      .max(3, 'name each policy at most once')
      .refine((p) => new Set(p).size === p.length, 'name each policy at most once')
      .default(['replica', 'read-your-writes']),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field(s): ${iss.keys.join(', ')}` : 'the body must be a JSON object') },
);

/** Lines of a down replica's server log the view carries: enough to say why, short enough to read. */
const LOG_LINES = 5;

type ReadsHost = Pick<Lab, 'cluster' | 'config' | 'reads' | 'readTrials' | 'settings' | 'updateSettings' | 'loadtests'>;

async function replicaViews(lab: ReadsHost) {
  return Promise.all(
    lab.cluster.shards
      .filter((s) => s.replica)
      .map(async (s) => {
        const r = s.replica!;
        const delay = await lab.cluster.replicas.applyDelay(s.id).catch(() => null);
        const down = r.status === 'down';
        return {
          shard: s.name,
          replica: r.name,
          status: r.status,
          error: down ? r.error : null,
          log: down ? (r.server?.recentLog().slice(-LOG_LINES) ?? []) : [],
          lag_bytes: r.lag.bytes,
          lag_seconds: r.lag.seconds,
          apply_delay_ms: delay,
        };
      }),
  );
}

function needReplica(lab: ReadsHost): void {
  if (!lab.cluster.shards.some((s) => s.replica?.status === 'up')) {
    throw new ApiError(
      409,
      'no_replica',
      'No shard has a replica up, so every read goes to a primary and nothing can be stale. Add one first: POST /lab/v1/shards/shard-0/replicas.',
    );
  }
}

/** `/lab/v1/reads`: where reads by id go (the policy itself is a setting), what they counted, and write-then-read trials. */
export function readRoutes(api: ApiRouter, lab: ReadsHost): void {
  const tag = 'lab: reads';
  const host: TrialHost = {
    readPolicy: () => lab.settings.get().read_policy,
    setReadPolicy: async (policy: ReadPolicy) => void (await lab.updateSettings({ read_policy: policy })),
    readCounts: () => lab.reads.snapshot(),
    replicas: async () => (await replicaViews(lab)).map(({ shard, replica, lag_bytes, apply_delay_ms }) => ({ shard, replica, lag_bytes, apply_delay_ms })),
  };

  api.add(
    {
      method: 'get',
      path: '/reads',
      tag,
      summary: 'The read policy, reads served by primaries and replicas, stale reads, each replica with its lag and apply delay, the last trial',
      description: 'Change the policy with PUT /lab/v1/settings {"read_policy": …}. See docs/resharding.md#replicas-and-read-policies.',
      responses: { 200: { description: 'the reads', schema: ReadsSchema } },
    },
    async ({ res }) => {
      res.json({ ...lab.reads.snapshot(), replicas: await replicaViews(lab), last_trial: lab.readTrials.last(), last_load: lab.readTrials.lastUnderLoad() });
    },
  );

  api.add(
    {
      method: 'post',
      path: '/reads/trial',
      tag,
      summary: 'Write-then-read trial: create a user, read it back at once, delete it; once per read policy (then the policy is put back)',
      body: TrialBody,
      bodyOptional: true,
      bodyName: 'trial request',
      responses: {
        200: { description: 'what each policy did', schema: ReadTrialSchema },
        409: { description: 'no_replica: no shard has a replica up; trial_running: one at a time' },
      },
    },
    async ({ req, res, body }) => {
      needReplica(lab);
      res.json(await lab.readTrials.run(host, SelfClient.from(req, lab.config.token), body.pairs, body.policies));
    },
  );

  api.add(
    {
      method: 'post',
      path: '/reads/load',
      tag,
      summary:
        'The write-then-read miss under load: the same load test (each connection creates a user and reads it back at once) under replica, then read-your-writes, with the stale reads counted in each',
      description: 'Waits for both runs (2 × duration_s) and answers both; the read policy is put back afterwards.',
      body: ReadLoadRequestSchema,
      bodyOptional: true,
      bodyName: 'comparison under load',
      responses: {
        200: { description: 'each policy’s run', schema: ReadLoadTrialSchema },
        409: { description: 'no_replica: no shard has a replica up; trial_running or loadtest_running: one at a time' },
      },
    },
    async ({ req, res, body }) => {
      needReplica(lab);
      lab.loadtests.assertIdle();
      res.json(await lab.readTrials.runUnderLoad(host, SelfClient.from(req, lab.config.token), body));
    },
  );

  api.add(
    {
      method: 'delete',
      path: '/reads/trial',
      tag,
      summary: 'Forget the last trial and the last comparison under load (a chapter reset does)',
      responses: { 204: { description: 'forgotten' } },
    },
    ({ res }) => {
      lab.readTrials.forget();
      res.status(204).end();
    },
  );
}
