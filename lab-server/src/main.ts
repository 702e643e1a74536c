import { ClusterError } from './cluster/errors.js';
import { ConfigError, loadConfig } from './config.js';
import { MigrationError } from './migrations/index.js';
import { startLab } from './server/start.js';

/** `make dev`: start the cluster and the lab, print where it is, and stop every server on Ctrl-C. */
const log = (message: string): void => console.log(`[lab] ${message}`);

async function main(): Promise<void> {
  const started = performance.now();
  const config = loadConfig();
  const running = await startLab(config, log);
  const { lab } = running;
  const where =
    lab.cluster.mode === 'external'
      ? 'external servers (LAB_SHARDS)'
      : `ports ${config.shardBasePort}-${config.shardBasePort + lab.cluster.shards.length - 1}, data in ${config.dataDir}`;
  log(`${lab.cluster.shards.length} shards (${lab.cluster.mode}; ${where})`);
  log(`Shard Lab is ready at ${running.url}${config.token ? `/?token=${config.token}` : ''} (${Math.round(performance.now() - started)} ms)`);
  if (config.token) {
    log(
      `LAB_HOST=${config.host} serves the lab beyond this machine: clients elsewhere need the token (the URL above sets it in the browser; curl: -H 'Authorization: Bearer ${config.token}').`,
    );
    log('Anyone with the token can run SQL on your shards and wipe their data: share it only with people you trust (docs/security.md).');
  }
  log(`Try: curl ${running.url}/api/v1/shards/stats  ·  Ctrl-C stops the lab and its PostgreSQL servers.`);

  let signals = 0;
  const shutdown = (signal: string) => {
    if (++signals > 1) return;
    log(`${signal}: stopping the lab and its PostgreSQL servers...`);
    running.stop().then(
      () => {
        log('Stopped.');
        process.exit(0);
      },
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  if (err instanceof ClusterError || err instanceof ConfigError) console.error(`[lab] ${err.message}`);
  else if (err instanceof MigrationError) {
    console.error(`[lab] ${err.message}\n[lab] Fix the migration and start again; migrations already applied are kept.`);
  } else console.error('[lab] Failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
