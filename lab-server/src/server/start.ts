import nodeCluster from 'node:cluster';
import http from 'node:http';
import { Router as ExpressRouter } from 'express';
import type { Registry } from 'prom-client';
import { Cluster, type Log } from '../cluster/cluster.js';
import { DEFAULT_SETTINGS } from '../cluster/embedded-server.js';
import type { LabConfig } from '../config.js';
import { createApp, type Mount } from '../http/app.js';
import { answerClientError } from '../http/errors.js';
import { guard, RequestPolicy } from '../http/request-policy.js';
import { messengerApi } from '../http/routes/messenger.js';
import { fastUsersDispatch } from '../http/routes/users-fast.js';
import { recordRequests } from '../http/record-requests.js';
import { prometheusRegistry } from '../metrics/prometheus.js';
import { migrate, throwIfFailed } from '../migrations/index.js';
import { attachConsole } from '../http/console-socket.js';
import { uiRoutes } from '../ui/static-routes.js';
import { labApis, openApiRoutes } from '../http/apis.js';
import { knobHost } from '../tuning/host.js';
import { knobConditions } from '../tuning/knobs.js';
import { Lab } from '../lab/lab.js';
import { closeWhen, closeWhenQuiet, countAnswers } from './close-when.js';
import { PublicPort, type Served } from './public-port.js';
import { sweep } from '../resharding/replication.js';
import { traceRequests } from '../tracing/tracing.js';

export interface RunningLab {
  lab: Lab;
  server: http.Server;
  url: string;
  stop(): Promise<void>;
}

/** Starts (or finds) the shards, brings each to the latest migration, and serves the API. */
export async function startLab(config: LabConfig, log: Log): Promise<RunningLab> {
  const cluster = await Cluster.open(config, log);
  let lab: Lab;
  try {
    lab = await Lab.create(config, cluster, log);
  } catch (err) {
    await cluster.close();
    throw err;
  }
  let publicPort: PublicPort | null = null;
  const terminals: { close(): Promise<void> }[] = [];
  try {
    if (config.migrateOnStart) {
      const report = throwIfFailed(await migrate(lab.migrationTargets(), config.migrationsDir, 'latest'));
      for (const s of report.shards) if (s.ran.length > 0) log(`${s.shard}: applied ${s.ran.join(', ')}`);
    }
    for (const shard of cluster.shards) {
      const max = shard.server?.maxConnectionsOverride;
      if (max)
        log(
          `${shard.name}: max_connections ${max}, set with the tuning knob (tune knob max_connections default, then tune restart, puts back ${DEFAULT_SETTINGS.max_connections})`,
        );
    }
    // A reshard interrupted by a crash leaves publications, subscriptions or slots; nothing must outlive its job.
    await sweep(cluster, log);
    lab.messenger.outbox.start();
    await lab.loadtests.init();
    lab.loadtests.conditions = () => knobConditions(knobHost(lab));
    lab.loadtests.processes = () => ({
      api: [
        { name: 'main', pid: process.pid },
        ...Object.values(nodeCluster.workers ?? {}).flatMap((w) => (w?.process.pid ? [{ name: `worker ${w.process.pid}`, pid: w.process.pid }] : [])),
      ],
      databases: cluster.shards.flatMap((s) => [
        ...(s.server?.pid ? [{ name: s.name, pid: s.server.pid }] : []),
        ...(s.replica?.server?.pid ? [{ name: s.replica.name, pid: s.replica.server.pid }] : []),
      ]),
    });
    const app = createApp(
      labMounts(
        lab,
        prometheusRegistry(
          lab.metrics,
          () => lab.loadtests.running() !== null,
          () => lab.reads.snapshot(),
        ),
      ),
      log,
    );
    const policy = requestPolicy(config);
    const handler = guard(policy, traceRequests(fastUsersDispatch(lab.users, lab.metrics.recorder, app, log)));
    // Every server the primary opens (the public port, or loopback under prefork) serves the same, terminal included.
    const make = (): Served => {
      let draining = false;
      const answers = countAnswers(handler, (req) => req.url?.startsWith('/lab/v1/events') === true);
      // A server letting go of the public port tells its clients to reconnect, to the workers that took it over.
      const server = http.createServer(closeWhen(() => draining, answers.handler));
      server.keepAliveTimeout = 65_000;
      server.on('clientError', answerClientError);
      terminals.push(attachConsole(server, lab, policy));
      return {
        server,
        drain: () => {
          draining = true;
          void closeWhenQuiet(server, answers.pending);
        },
      };
    };
    publicPort = await PublicPort.open(lab, config, log, make);
    lab.setWorkers = (count) => publicPort!.setWorkers(count);
    const port = publicPort.port;
    if (config.workers > 0) log(`prefork: ${config.workers} workers serve /api/v1 on port ${port}; the primary (pid ${process.pid}) runs the control plane`);
    const url = `http://${config.host}:${port}`;
    lab.loadtests.target = loopbackUrl(config.host, port);
    lab.metrics.start();
    let stopping: Promise<void> | null = null;
    return {
      lab,
      server: publicPort.primaryServer,
      url,
      stop: () =>
        (stopping ??= (async () => {
          await Promise.all(terminals.map((t) => t.close()));
          await publicPort!.stop();
          await lab.close();
        })()),
    };
  } catch (err) {
    await publicPort?.stop();
    await lab.close();
    throw err;
  }
}

/**
 * Everything the primary serves, in order: request metrics, the control API with /health and /metrics, the
 * messenger API, and the built browser lab at `/` (last, so it never shadows an API route).
 */
export function labMounts(lab: Lab, registry: Registry): Mount[] {
  return [
    { path: '/', router: ExpressRouter().use(recordRequests(lab.metrics.recorder)) },
    ...labApis(lab, registry).map(({ prefix, api }) => ({ path: prefix || '/', router: api.router })),
    ...apiMounts(lab),
    { path: '/', router: uiRoutes() },
  ];
}

/** The messenger API: served by the primary or, under prefork, by every worker. */
export function apiMounts(lab: Lab): Mount[] {
  return [
    { path: '/api/v1', router: messengerApi(lab.messenger).router },
    { path: '/api', router: openApiRoutes() },
  ];
}

/** The edge policy every request and the terminal's WebSocket pass (docs/security.md). */
export function requestPolicy(config: LabConfig): RequestPolicy {
  return new RequestPolicy({ bindHost: config.host, allowedHosts: config.allowedHosts, token: config.token });
}

/** Load generation targets only this machine: the lab's own port on loopback, whatever address it binds. */
function loopbackUrl(host: string, port: number): string {
  return host === '::1' || host === '::' ? `http://[::1]:${port}` : `http://127.0.0.1:${port}`;
}
