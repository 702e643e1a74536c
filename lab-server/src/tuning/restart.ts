import type { Cluster } from '../cluster/cluster.js';
import { ConflictError } from '../domain/errors.js';
import { throwIfCancelled, type JobContext } from '../jobs/registry.js';

/**
 * Restart-only parameters (`shared_buffers`, `max_connections`) take effect when a server starts. This
 * restarts the lab's embedded shards one at a time — fast shutdown (SIGINT), start, wait until it answers —
 * so at most one shard is unavailable at any moment; requests routed to it meanwhile fail with 503.
 *
 * The lab starts every shard with `max_connections` on the command line, which outranks `ALTER SYSTEM`. So
 * before a start, a `max_connections` the lab set with `ALTER SYSTEM` replaces the command line's value (and a
 * reset brings the command line's back). That override lasts while this lab runs; a restarted lab starts
 * its shards with the command line's value again.
 */
export const RESTART_PARAMETERS = ['shared_buffers', 'max_connections'] as const;

type Deps = Pick<Cluster, 'shards' | 'ownsServers' | 'notOwned' | 'pools' | 'faults'>;

export interface RestartReport {
  restarted: { shard: string; down_ms: number; shared_buffers: string; max_connections: string }[];
}

/** The `max_connections` this shard's postgresql.auto.conf sets (by the lab's ALTER SYSTEM), if any. */
async function alteredMaxConnections(deps: Deps, shard: Deps['shards'][number]): Promise<string | null> {
  const { rows } = await deps.pools
    .admin(shard)
    .query<{ setting: string }>(
      `SELECT setting FROM pg_file_settings WHERE name = 'max_connections' AND sourcefile LIKE '%postgresql.auto.conf' ORDER BY seqno DESC LIMIT 1`,
    );
  return rows[0]?.setting ?? null;
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
    const max = await alteredMaxConnections(deps, shard);
    const settings = { ...server.spec.settings };
    if (max === null) delete settings.max_connections;
    else settings.max_connections = max;
    server.spec.settings = settings;
    ctx.note(`${shard.name}: fast shutdown (SIGINT to pid ${server.pid})${max === null ? '' : `, then start with max_connections ${max}`}`);
    const stopped = Date.now();
    await server.stop();
    await deps.faults.restart(shard.id);
    const { rows } = await deps.pools
      .admin(shard)
      .query<{ sb: string; mc: string }>(`SELECT current_setting('shared_buffers') AS sb, current_setting('max_connections') AS mc`);
    const down = Date.now() - stopped;
    ctx.note(`${shard.name}: up again after ${down} ms (pid ${server.pid}): shared_buffers ${rows[0]!.sb}, max_connections ${rows[0]!.mc}`);
    report.restarted.push({ shard: shard.name, down_ms: down, shared_buffers: rows[0]!.sb, max_connections: rows[0]!.mc });
    ctx.progress(i + 1, shards.length);
  }
  return report;
}
