import { Router as ExpressRouter } from 'express';
import { z } from 'zod';
import { ClusterError, isUnavailable } from '../cluster/errors.js';
import { ringHistory } from '../cluster/topology-store.js';
import { promote } from '../failover/promote.js';
import { ApiError, notFound } from '../http/errors.js';
import { jsonBody, parse } from '../http/validation.js';
import { routerFor, type Lab } from '../lab/lab.js';
import { planReshard } from './plan.js';
import { reshard, type ReshardMode, type ShardChange } from './reshard.js';
import { RESHARD_STEPS } from './steps.js';

const strictBody = <T extends z.ZodRawShape>(shape: T) =>
  z.strictObject(shape, { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field(s): ${iss.keys.join(', ')}` : 'the body must be a JSON object') });
const Mode = z.enum(['rebalance', 'faithful'], { error: 'mode must be rebalance or faithful' }).default('rebalance');
const Url = z.string().regex(/^postgres(ql)?:\/\//, 'url must be a postgres:// connection URL');
const PauseBefore = z.array(z.enum(RESHARD_STEPS, { error: `pause_before takes ${RESHARD_STEPS.join(', ')}` })).default([]);
const AddBody = strictBody({ mode: Mode, url: Url.optional(), pause_before: PauseBefore });
const PlanBody = strictBody({ action: z.enum(['add', 'remove']).default('add'), shard: z.string().optional() });
const RemoveQuery = z.object({ mode: Mode });
const RemoveBody = strictBody({ pause_before: PauseBefore });
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

/** `/lab/v1/shards…` and `/lab/v1/ring…`: change the shard set online, inject faults, read the ring's history. */
export function shardRoutes(lab: Lab): ExpressRouter {
  const r = ExpressRouter();

  const shardNamed = (name: string) => {
    const shard = lab.cluster.byName(name);
    if (!shard) throw notFound(`No shard named '${name}'.`, { shards: lab.cluster.shards.map((s) => s.name) });
    return shard;
  };

  r.post('/shards/plan', async (req, res) => {
    const body = parse(PlanBody, req.body === undefined ? {} : jsonBody(req), 'plan request');
    const current = lab.ringVersion.shards;
    let after;
    if (body.action === 'add') {
      const id = lab.cluster.nextShardId();
      after = [...current, lab.cluster.ownsServers ? lab.cluster.layout.spec(id) : { id, name: `shard-${id}`, url: '(your server)', port: null }];
    } else {
      if (!body.shard) throw new ApiError(400, 'validation_failed', 'Invalid plan request: shard: name the shard to remove', { fields: [{ field: 'shard', message: 'name the shard to remove' }] });
      const victim = shardNamed(body.shard);
      if (current.length === 1) throw new ApiError(409, 'last_shard', 'The last shard cannot be removed.');
      after = current.filter((s) => s.id !== victim.id);
    }
    res.json(await planReshard(lab.cluster, lab.router, routerFor(lab.ringWith(after)), after));
  });

  r.post('/shards', (req, res) => {
    const { mode, url, pause_before } = parse(AddBody, req.body === undefined ? {} : jsonBody(req), 'add-shard request');
    if (!lab.cluster.ownsServers && !url) {
      throw new ApiError(400, 'url_required', `${lab.cluster.notOwned('Starting a new shard server')} Or give the url of a new PostgreSQL server ({"url": "postgres://…"}).`);
    }
    const job = lab.jobs.submit('add-shard', { mode, url: url ?? null, pause_before }, 0, (ctx) => {
      const change: ShardChange = { kind: 'add', id: lab.cluster.nextShardId(), url: url ?? null };
      return reshard(lab, change, mode, ctx, pause_before);
    });
    res.status(202).location(`/lab/v1/jobs/${job.id}`).json({ job_id: job.id, job });
  });

  r.delete('/shards/:name', (req, res) => {
    const { mode } = parse(RemoveQuery, req.query, 'query');
    const { pause_before } = parse(RemoveBody, req.body === undefined || !req.is('application/json') ? {} : req.body, 'remove-shard request');
    const victim = shardNamed(req.params.name);
    if (lab.ringVersion.shards.length === 1) throw new ApiError(409, 'last_shard', 'The last shard cannot be removed.');
    const job = lab.jobs.submit('remove-shard', { shard: victim.name, mode, pause_before }, 0, (ctx) =>
      reshard(lab, { kind: 'remove', id: victim.id }, mode as ReshardMode, ctx, pause_before),
    );
    res.status(202).location(`/lab/v1/jobs/${job.id}`).json({ job_id: job.id, job });
  });

  r.post('/shards/:name/replicas', async (req, res) => {
    const shard = shardNamed(req.params.name);
    try {
      await lab.cluster.replicas.add(shard.id);
    } catch (err) {
      throw serverActionError(err, shard.name, `building ${shard.name}'s replica`, 'Nothing was kept; try again once the shard is up.');
    }
    res.status(201).json(lab.topology().shards.find((s) => s.name === shard.name));
  });

  r.post('/shards/:name/promote', async (req, res) => {
    const shard = shardNamed(req.params.name);
    try {
      res.json(await promote(lab, shard.name));
    } catch (err) {
      throw serverActionError(err, shard.name, `the promotion of ${shard.name}`, 'See the topology; once its replica is up, promoting again fails over.');
    }
  });

  r.post('/shards/:name/:fault', async (req, res) => {
    const shard = shardNamed(req.params.name);
    const fault = req.params.fault;
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
  });

  r.get('/ring/versions', async (_req, res) => {
    res.json({ versions: await ringHistory(lab.cluster.catalog.pool) });
  });

  return r;
}
