import type { Cluster } from '../cluster/cluster.js';
import { ConflictError } from '../domain/errors.js';
import { throwIfCancelled, type JobContext } from '../jobs/registry.js';

/**
 * Restart-only parameters (`shared_buffers`, `max_connections`) take effect when a server starts. This
 * restarts the lab's embedded shards one at a time — fast shutdown (SIGINT), start, wait until it answers —
 * so at most one shard is unavailable at any moment; requests routed to it meanwhile fail with 503.
 *
 * The lab starts every shard with `max_connections` on the command line, which outranks `ALTER SYSTEM`. So
 * every start reads a `max_connections` the lab set with `ALTER SYSTEM` from the data directory and puts it on
 * the command line instead (EmbeddedServer.start); a reset brings the default back at the next start. The
 * override lives in the shard's own files, so it lasts across restarts of the lab too.
 */
export const RESTART_PARAMETERS = ['shared_buffers', 'max_connections'] as const;

type Deps = Pick<Cluster, 'shards' | 'ownsServers' | 'notOwned' | 'pools' | 'faults'>;

export interface RestartReport {
  restarted: { shard: string; down_ms: number; shared_buffers: string; max_connections: string }[];
}

export function assertRestartable(deps: Deps): void {
  if (!deps.ownsServers) throw new ConflictError('not_available', deps.notOwned('Restarting shards'));
  const down = deps.shards.filter((s) => !s.server?.pid || s.status !== 'up');
  if (down.length > 0)
    throw new ConflictError('shard_not_up', `${down.map((s) => `${s.name} is ${s.status}`).join(', ')}: every shard must be up to restart them in turn.`);
}

/** Restarts every embedded shard in turn, noting each step on the job. */
export async function restartShards(deps: Deps, ctx: JobContext): Promise<RestartReport> {
  const shards = [...deps.shards];
  const report: RestartReport = { restarted: [] };
  ctx.progress(0, shards.length);
  for (const [i, shard] of shards.entries()) {
    throwIfCancelled(ctx.signal);
    const server = shard.server!;
    ctx.phase(shard.name);
    ctx.note(`${shard.name}: fast shutdown (SIGINT to pid ${server.pid})`);
    const stopped = Date.now();
    await server.stop();
    await deps.faults.restart(shard.id);
    const { rows } = await deps.pools
      .admin(shard)
      .query<{ sb: string; mc: string }>(`SELECT current_setting('shared_buffers') AS sb, current_setting('max_connections') AS mc`);
    const down = Date.now() - stopped;
    const override = server.maxConnectionsOverride === null ? '' : ' (the value set with the tuning knob)';
    ctx.note(`${shard.name}: up again after ${down} ms (pid ${server.pid}): shared_buffers ${rows[0]!.sb}, max_connections ${rows[0]!.mc}${override}`);
    report.restarted.push({ shard: shard.name, down_ms: down, shared_buffers: rows[0]!.sb, max_connections: rows[0]!.mc });
    ctx.progress(i + 1, shards.length);
  }
  return report;
}
