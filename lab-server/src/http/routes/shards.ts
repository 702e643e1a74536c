import { z } from 'zod';
import { ClusterError, isUnavailable } from '../../cluster/errors.js';
import { ringHistory } from '../../cluster/topology-store.js';
import { promote, type PromotionHost } from '../../failover/promote.js';
import { strictBody } from '../../messenger/schema-parts.js';
import type { ApiRouter } from '../api-router.js';
import { ApiError, notFound } from '../errors.js';
import { ReplicaDelaySchema } from '../schemas/reads.js';
import { JobAcceptedSchema, PromotionReportSchema, ReshardPlanSchema, RingVersionsSchema, ShardInfoSchema, ShardName } from '../schemas/lab.js';
import type { Lab } from '../../lab/lab.js';
import { routerFor } from '../../sharding/strategies.js';
import { planReshard } from '../../resharding/plan.js';
import { reshard, type ReshardMode, type ShardChange } from '../../resharding/reshard.js';
import type { ReshardHost } from '../../resharding/ring-control.js';
import { RESHARD_STEPS } from '../../resharding/steps.js';

const Mode = z.enum(['rebalance', 'faithful'], { error: 'mode must be rebalance or faithful' }).default('rebalance');
const Url = z.string().regex(/^postgres(ql)?:\/\//, 'url must be a postgres:// connection URL');
const PauseBefore = z.array(z.enum(RESHARD_STEPS, { error: `pause_before takes ${RESHARD_STEPS.join(', ')}` })).default([]);
const AddBody = strictBody({ mode: Mode, url: Url.optional(), pause_before: PauseBefore });
const PlanBody = strictBody({ action: z.enum(['add', 'remove']).default('add'), shard: z.string().optional() });
const RemoveQuery = z.object({ mode: Mode });
const Named = z.object({ name: ShardName });
const RemoveBody = strictBody({ pause_before: PauseBefore });
const DelayBody = strictBody({
  ms: z
    .number({ error: 'ms is required: a number of milliseconds' })
    .int('ms must be an integer')
    .min(0, 'ms must be at least 0')
    .max(60_000, 'ms must be at most 60,000'),
});
const FAULTS = { kill: 'SIGKILL', pause: 'SIGSTOP', resume: 'SIGCONT' } as const;

/**
 * An action on a shard's servers that could not be done: 409 when this lab cannot or may not (the message says
 * why), 503 when a server stopped answering on the way; anything else stays an internal error.
 */
function serverActionError(err: unknown, shard: string, during: string, next: string): unknown {
  if (err instanceof ClusterError) return new ApiError(409, 'not_available', err.message);
  if (isUnavailable(err)) {
    const detail = err instanceof Error ? err.message : String(err);
    return new ApiError(503, 'shard_unavailable', `A server stopped answering during ${during} (${detail}). ${next}`, { shards: [shard] });
  }
  return err;
}

/** What the shard routes touch: the ring and cluster a shard change controls, a promotion's parts, jobs, the topology. */
type ShardsHost = ReshardHost & PromotionHost & Pick<Lab, 'jobs' | 'topology' | 'loadtests'>;

/** `/lab/v1/shards…` and `/lab/v1/ring…`: change the shard set online, inject faults, read the ring's history. */
export function shardRoutes(api: ApiRouter, lab: ShardsHost): void {
  const tag = 'lab: shards';
  const noShard = { description: 'no shard of that name' };
  const lastShard = { description: 'last_shard: the last shard cannot be removed' };
  const unavailable = { description: 'not_available: this lab does not run the servers (external shards), or cannot now' };

  const shardNamed = (name: string) => {
    const shard = lab.cluster.byName(name);
    if (!shard) throw notFound(`No shard named '${name}'.`, { shards: lab.cluster.shards.map((s) => s.name) });
    return shard;
  };

  api.add(
    {
      method: 'post',
      path: '/shards/plan',
      tag,
      summary: 'What adding (or removing) a shard would move: hash ranges, rows per range, shares before and after',
      body: PlanBody,
      bodyOptional: true,
      bodyName: 'plan request',
      responses: { 200: { description: 'the plan', schema: ReshardPlanSchema }, 404: noShard, 409: lastShard },
    },
    async ({ res, body }) => {
      const current = lab.ring.version.shards;
      let after: typeof current;
      if (body.action === 'add') {
        const id = lab.cluster.nextShardId();
        after = [...current, lab.cluster.ownsServers ? lab.cluster.layout.spec(id) : { id, name: `shard-${id}`, url: '(your server)', port: null }];
      } else {
        if (!body.shard)
          throw new ApiError(400, 'validation_failed', 'Invalid plan request: shard: name the shard to remove', {
            fields: [{ field: 'shard', message: 'name the shard to remove' }],
          });
        const victim = shardNamed(body.shard);
        if (current.length === 1) throw new ApiError(409, 'last_shard', 'The last shard cannot be removed.');
        after = current.filter((s) => s.id !== victim.id);
      }
      res.json(await planReshard(lab.cluster, lab.ring.router, routerFor(lab.ring.with(after)), after));
    },
  );

  api.add(
    {
      method: 'post',
      path: '/shards',
      tag,
      summary: 'Add a shard online (rebalance) or as the original did (faithful: nothing moves); a job',
      description: 'See docs/resharding.md. External shards: give the url of a new PostgreSQL server.',
      body: AddBody,
      bodyOptional: true,
      bodyName: 'add-shard request',
      responses: { 202: { description: 'started; Location: the job', schema: JobAcceptedSchema } },
    },
    ({ res, body: { mode, url, pause_before } }) => {
      if (!lab.cluster.ownsServers && !url) {
        throw new ApiError(
          400,
          'url_required',
          `${lab.cluster.notOwned('Starting a new shard server')} Or give the url of a new PostgreSQL server ({"url": "postgres://…"}).`,
        );
      }
      const job = lab.jobs.submit('add-shard', { mode, url: url ?? null, pause_before }, 0, (ctx) => {
        const change: ShardChange = { kind: 'add', id: lab.cluster.nextShardId(), url: url ?? null };
        return reshard(lab, change, mode, ctx, pause_before);
      });
      res.status(202).location(`/lab/v1/jobs/${job.id}`).json({ job_id: job.id, job });
    },
  );

  api.add(
    {
      method: 'delete',
      path: '/shards/:name',
      tag,
      summary: 'Drain a shard into the others, then stop it; a job',
      params: Named,
      query: RemoveQuery,
      body: RemoveBody,
      bodyOptional: true,
      bodyName: 'remove-shard request',
      responses: { 202: { description: 'started; Location: the job', schema: JobAcceptedSchema }, 404: noShard, 409: lastShard },
    },
    ({ res, params, query: { mode }, body: { pause_before } }) => {
      const victim = shardNamed(params.name);
      if (lab.ring.version.shards.length === 1) throw new ApiError(409, 'last_shard', 'The last shard cannot be removed.');
      const job = lab.jobs.submit('remove-shard', { shard: victim.name, mode, pause_before }, 0, (ctx) =>
        reshard(lab, { kind: 'remove', id: victim.id }, mode as ReshardMode, ctx, pause_before),
      );
      res.status(202).location(`/lab/v1/jobs/${job.id}`).json({ job_id: job.id, job });
    },
  );

  api.add(
    {
      method: 'post',
      path: '/shards/:name/replicas',
      tag,
      summary: 'Build a streaming replica of the shard',
      params: Named,
      responses: { 201: { description: 'the shard, with its replica', schema: ShardInfoSchema }, 404: noShard, 409: unavailable },
    },
    async ({ res, params }) => {
      const shard = shardNamed(params.name);
      try {
        await lab.cluster.replicas.add(shard.id);
      } catch (err) {
        throw serverActionError(err, shard.name, `building ${shard.name}'s replica`, 'Nothing was kept; try again once the shard is up.');
      }
      res.status(201).json(lab.topology().shards.find((s) => s.name === shard.name));
    },
  );

  api.add(
    {
      method: 'delete',
      path: '/shards/:name/replicas',
      tag,
      summary: "Stop the shard's replica and delete it; reads go to the primary again (nothing to do when it has none)",
      params: Named,
      responses: { 200: { description: 'the shard, without a replica', schema: ShardInfoSchema }, 404: noShard, 409: unavailable },
    },
    async ({ res, params }) => {
      const shard = shardNamed(params.name);
      try {
        await lab.cluster.replicas.remove(shard.id);
      } catch (err) {
        throw serverActionError(err, shard.name, `removing ${shard.name}'s replica`, 'See the topology.');
      }
      res.json(lab.topology().shards.find((s) => s.name === shard.name));
    },
  );

  api.add(
    {
      method: 'put',
      path: '/shards/:name/replicas/delay',
      tag,
      summary: "Make the shard's replica apply each commit ms after the primary (recovery_min_apply_delay): lag on demand; 0 turns it off",
      params: Named,
      body: DelayBody,
      bodyName: 'delay',
      responses: { 200: { description: 'the delay now', schema: ReplicaDelaySchema }, 404: noShard, 409: unavailable },
    },
    async ({ res, params, body }) => {
      const shard = shardNamed(params.name);
      try {
        await lab.cluster.replicas.setApplyDelay(shard.id, body.ms);
      } catch (err) {
        throw serverActionError(err, shard.name, `delaying ${shard.name}'s replica`, 'See the topology.');
      }
      res.json({ shard: shard.name, replica: shard.replica!.name, apply_delay_ms: body.ms });
    },
  );

  api.add(
    {
      method: 'post',
      path: '/shards/:name/promote',
      tag,
      summary: "The shard's replica becomes its primary (switchover, or failover when the primary is down)",
      description: 'See docs/resharding.md#promoting-a-replica.',
      params: Named,
      responses: { 200: { description: 'what the promotion did and may have lost', schema: PromotionReportSchema }, 404: noShard, 409: unavailable },
    },
    async ({ res, params }) => {
      const shard = shardNamed(params.name);
      try {
        const report = await promote(lab, shard.name);
        lab.loadtests.mark('promotion', `${shard.name} promoted (${report.kind}): requests held ${Math.round(report.pause_ms)} ms`);
        res.json(report);
      } catch (err) {
        throw serverActionError(err, shard.name, `the promotion of ${shard.name}`, 'See the topology; once its replica is up, promoting again fails over.');
      }
    },
  );

  api.add(
    {
      method: 'post',
      path: '/shards/:name/:fault',
      tag,
      summary: 'Fault injection on an embedded shard: kill, start, pause or resume its server',
      params: z.object({ name: ShardName, fault: z.string().describe('kill, start, pause or resume') }),
      responses: {
        200: { description: 'the shard now', schema: ShardInfoSchema },
        404: { description: 'no shard of that name, or an unknown action' },
        409: unavailable,
      },
    },
    async ({ res, params }) => {
      const shard = shardNamed(params.name);
      const fault = params.fault;
      if (!lab.cluster.ownsServers) {
        throw new ApiError(409, 'not_available', lab.cluster.notOwned('Fault injection'));
      }
      try {
        if (fault === 'start') await lab.cluster.faults.restart(shard.id);
        else if (fault === 'kill' || fault === 'pause' || fault === 'resume') await lab.cluster.faults.signal(shard.id, FAULTS[fault]);
        else throw notFound(`Unknown action '${fault}'; use kill, start, pause, resume or promote.`);
      } catch (err) {
        throw serverActionError(err, shard.name, `${fault} on ${shard.name}`, 'See the topology.');
      }
      res.json(lab.topology().shards.find((s) => s.name === shard.name));
    },
  );

  api.add(
    {
      method: 'get',
      path: '/ring/versions',
      tag: 'lab: ring',
      summary: 'Every ring version the cluster has routed by, with full shard specs',
      responses: { 200: { description: 'oldest first', schema: RingVersionsSchema } },
    },
    async ({ res }) => {
      res.json({ versions: await ringHistory(lab.cluster.catalog.pool) });
    },
  );
}
