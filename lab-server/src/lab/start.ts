import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Cluster, type Log } from '../cluster/cluster.js';
import type { LabConfig } from '../config.js';
import { createApp } from '../http/app.js';
import { messengerApi, openApiRoutes } from '../messenger/routes.js';
import { migrate, throwIfFailed } from '../migrations/index.js';
import { attachConsole } from '../console/socket.js';
import { browserLabMounts } from '../ui/mounts.js';
import { healthRoutes } from './health-routes.js';
import { Lab } from './lab.js';
import { labRoutes } from './routes.js';
import { shardRoutes } from '../resharding/routes.js';
import { sweep } from '../resharding/replication.js';

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
  try {
    if (config.migrateOnStart) {
      const report = throwIfFailed(await migrate(lab.migrationTargets(), config.migrationsDir, 'latest'));
      for (const s of report.shards) if (s.ran.length > 0) log(`${s.shard}: applied ${s.ran.join(', ')}`);
    }
    // A reshard interrupted by a crash leaves publications, subscriptions or slots; nothing must outlive its job.
    await sweep(cluster, log);
    lab.messenger.outbox.start();
    const api = messengerApi(lab.messenger);
    const app = createApp(
      [
        { path: '/', router: healthRoutes(cluster) },
        { path: '/api/v1', router: api.router },
        { path: '/api', router: openApiRoutes(api) },
        { path: '/lab/v1', router: labRoutes(lab) },
        { path: '/lab/v1', router: shardRoutes(lab) },
        ...browserLabMounts(lab),
      ],
      log,
    );
    const server = http.createServer(app);
    server.keepAliveTimeout = 65_000;
    const terminal = attachConsole(server, lab);
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(err.code === 'EADDRINUSE' ? new Error(`Port ${config.port} is already in use; set PORT to another port.`) : err),
      );
      server.listen(config.port, config.host, resolve);
    });
    const { port } = server.address() as AddressInfo;
    const url = `http://${config.host}:${port}`;
    let stopping: Promise<void> | null = null;
    return {
      lab,
      server,
      url,
      stop: () =>
        (stopping ??= (async () => {
          await terminal.close();
          server.closeIdleConnections();
          const closed = new Promise<void>((resolve) => server.close(() => resolve()));
          setTimeout(() => server.closeAllConnections(), 2_000).unref();
          await closed;
          await lab.close();
        })()),
    };
  } catch (err) {
    await lab.close();
    throw err;
  }
}
