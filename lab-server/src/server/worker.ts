import http from 'node:http';
import { Router as ExpressRouter } from 'express';
import { Cluster, type Log } from '../cluster/cluster.js';
import { WORKER_APPLICATION_PREFIX } from '../cluster/shard-pools.js';
import { parseLsn } from '../cluster/reads.js';
import type { LabConfig } from '../config.js';
import { createApp } from '../http/app.js';
import { answerClientError } from '../http/errors.js';
import { guard } from '../http/request-policy.js';
import { fastUsersDispatch } from '../http/routes/users-fast.js';
import { recordRequests } from '../http/record-requests.js';
import { poolStats } from '../metrics/metrics.js';
import { Lab } from '../lab/lab.js';
import { type PrimaryMessage, STOP_TIMEOUT_MS, type WorkerMessage, type WorkerSpec } from './prefork.js';
import { closeWhen, closeWhenQuiet, countAnswers } from './close-when.js';
import { apiMounts, requestPolicy } from './start.js';
import { traceRequests, traceStore } from '../tracing/tracing.js';

const REPORT_MS = 1_000;

/**
 * A prefork worker: serves /api/v1 on the shared public port with its own pools, forwards every other
 * request to the primary, and reports its request metrics to the primary every second.
 */
export async function runWorker(log: Log): Promise<void> {
  const spec = JSON.parse(process.env.LAB_WORKER_SPEC ?? '') as WorkerSpec;
  const config: LabConfig = { ...spec.config, catalogUrl: spec.catalog_url, migrateOnStart: false };
  // Commands may come while the worker is still starting: they wait for it, in the order they came.
  let started!: (lab: Lab) => void;
  const ready = new Promise<Lab>((resolve) => (started = resolve));
  let stop: () => Promise<void> = async () => process.exit(0);
  process.on('message', (msg: PrimaryMessage) => {
    if (msg?.type === 'lab-stop') void stop();
    else if (msg?.type === 'lab-listen') return;
    else if (msg?.type === 'lab-wrote') void ready.then((lab) => lab.reads.learn(msg.write));
    else if (msg?.type) void ready.then((lab) => carryOut(lab, msg));
  });
  const cluster = await Cluster.attach(config, spec.ring.shards, spec.catalog_url, log, `${WORKER_APPLICATION_PREFIX}${process.pid}`);
  const lab = await Lab.create(config, cluster, log, spec.ring);
  await lab.usePeerState(spec.state);
  lab.reads.onWrite = (write) => process.send?.({ type: 'lab-wrote', write } satisfies WorkerMessage);
  traceStore.onFinished = (trace) => process.send?.({ type: 'lab-trace', trace } satisfies WorkerMessage);
  lab.ring.gate.servedBy = `worker ${process.pid}`;
  lab.ring.gate.onPause = (pause) => process.send?.({ type: 'lab-pause', pause } satisfies WorkerMessage);
  started(lab);
  const app = createApp([{ path: '/', router: ExpressRouter().use(recordRequests(lab.metrics.recorder)) }, ...apiMounts(lab)], log);
  const api = traceRequests(fastUsersDispatch(lab.users, lab.metrics.recorder, app, log));
  const forward = forwardTo(new URL(spec.primary_url));
  let stopping = false;
  const serve = guard(requestPolicy(config), (req, res) => (req.url!.startsWith('/api/') ? api(req, res) : forward(req, res)));
  // Forwarded event streams never end by themselves: they do not hold a retiring worker open.
  const answers = countAnswers(serve, (req) => req.url?.startsWith('/lab/v1/events') === true);
  // A retiring worker tells its clients to reconnect, so their next request reaches a worker that stays.
  const server = http.createServer(closeWhen(() => stopping, answers.handler));
  server.keepAliveTimeout = 65_000;
  server.on('clientError', answerClientError);
  // Held: the port is still the primary's own; the primary lets go of it and then says listen.
  if (spec.hold) {
    process.send?.({ type: 'lab-ready' } satisfies WorkerMessage);
    await new Promise<void>((resolve) => process.on('message', (msg: PrimaryMessage) => msg?.type === 'lab-listen' && resolve()));
  }
  server.listen(config.port, config.host);

  const report = setInterval(() => {
    const pools = Object.fromEntries(cluster.shards.map((s) => [s.name, poolStats(s.pool)]));
    process.send?.({ type: 'lab-metrics', report: { api: lab.metrics.recorder.drain(), pools }, reads: lab.reads.drain() } satisfies WorkerMessage);
  }, REPORT_MS);

  stop = async () => {
    if (stopping) return;
    stopping = true;
    clearInterval(report);
    // The answers in flight finish, within the primary's kill by pid less a second for closing the pools.
    await closeWhenQuiet(server, answers.pending, STOP_TIMEOUT_MS - 1_000);
    await lab.close();
    process.exit(0);
  };
  // The primary is gone (crashed or killed): a worker must not outlive it.
  process.on('disconnect', () => void stop());
  process.on('SIGINT', () => undefined); // Ctrl-C reaches the whole process group; the primary decides.
}

/** Every shard held while the primary swaps databases (lab-hold until lab-release). */
let held: (() => void) | null = null;

/** A write pause, a ring switch, the pause's end or new settings and replicas, as the primary asked; it then says it is done. */
async function carryOut(lab: Lab, msg: Exclude<PrimaryMessage, { type: 'lab-stop' | 'lab-wrote' | 'lab-listen' }>): Promise<void> {
  try {
    let keys: string[] | undefined;
    if (msg.type === 'lab-fence') await lab.ring.fence(msg.target);
    else if (msg.type === 'lab-ring') await lab.ring.follow(msg.ring);
    else if (msg.type === 'lab-lift') await lab.ring.lift();
    else if (msg.type === 'lab-hold') {
      held?.();
      held = await lab.cluster.handover.holdDrained(lab.cluster.shards.map((s) => s.id));
    } else if (msg.type === 'lab-release') {
      held?.();
      held = null;
    } else if (msg.type === 'lab-sync') await lab.usePeerState(msg.state);
    else {
      keys = lab.reads.writtenAfter(msg.shard, parseLsn(msg.lsn));
      lab.reads.forgetShard(msg.shard);
    }
    process.send?.({ type: 'lab-done', seq: msg.seq, ...(keys ? { keys } : {}) } satisfies WorkerMessage);
  } catch (err) {
    process.send?.({ type: 'lab-done', seq: msg.seq, error: err instanceof Error ? err.message : String(err) } satisfies WorkerMessage);
  }
}

/** Forwards a request unchanged to the primary and streams the answer back (SSE included). */
function forwardTo(primary: URL): http.RequestListener {
  return (req, res) => {
    const upstream = http.request({ host: primary.hostname, port: primary.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', (err) => {
      if (res.headersSent) return void res.destroy();
      const body = JSON.stringify({ error: { code: 'primary_unavailable', message: `The lab's primary process did not answer: ${err.message}`, details: {} } });
      res.writeHead(502, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) }).end(body);
    });
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  };
}
