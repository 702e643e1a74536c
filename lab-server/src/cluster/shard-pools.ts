import pg from 'pg';
import type { LabConfig } from '../config.js';
import { isMoving, isPoolTimeout, isUnavailable, ShardBusyError, ShardMovingError, ShardRemovedError, ShardUnavailableError } from './errors.js';
import { HealthProbe } from './health.js';
import { createPool } from '../postgres/pool.js';
import type { Shard } from './shard.js';
import type { ShardSet } from './shard-set.js';
import { inSpan } from '../tracing/tracing.js';

/**
 * Connections to the shards: each shard's pool and health probe, queries through the pool with outages named
 * by shard, and connections outside it for bulk work.
 */
export class ShardPools {
  constructor(
    private readonly set: ShardSet,
    private readonly config: Pick<LabConfig, 'pool' | 'healthIntervalMs'>,
  ) {}

  pool(url: string, applicationName?: string): pg.Pool {
    return createPool(url, this.config.pool, applicationName);
  }

  probe(url: string): HealthProbe {
    return new HealthProbe(url, Math.max(1_000, this.config.healthIntervalMs * 2));
  }

  /** Points the shard at another server: a new pool and probe; the old pool ends once its queries have. */
  async repoint(shard: Shard, url: string): Promise<void> {
    const { pool, probe } = shard;
    shard.url = url;
    shard.pool = this.pool(url);
    shard.probe = this.probe(url);
    probe.close();
    await pool.end().catch(() => undefined);
  }

  /** Runs `fn` on a shard's pool; an outage becomes ShardUnavailableError (HTTP 503) naming the shard. */
  async onShard<T>(id: number, fn: (pool: pg.Pool) => Promise<T>): Promise<T> {
    const shard = this.set.shard(id);
    while (shard.handover) await shard.handover;
    try {
      return await inSpan(`${shard.name} primary`, { 'lab.shard': shard.name, 'lab.role': 'primary', 'server.port': portOf(shard.url) }, () => fn(shard.pool));
    } catch (err) {
      // Its pool was ended under the request: whatever the error says, the shard is gone, not down.
      if (!this.set.has(shard)) throw new ShardRemovedError(shard.name, err);
      if (isMoving(err)) throw new ShardMovingError(shard.name, err);
      // Every connection lent out and the health probe's own connection still answering: overloaded, not down.
      if (isPoolTimeout(err) && shard.status === 'up' && shard.pool.totalCount >= this.config.pool.max) throw new ShardBusyError(shard.name, err);
      if (isUnavailable(err) || (err instanceof Error && /Query read timeout/.test(err.message))) {
        if (shard.status !== 'paused') this.set.setStatus(shard, 'down', err instanceof Error ? err.message : String(err));
        throw new ShardUnavailableError(shard.name, err);
      }
      throw err;
    }
  }

  /**
   * A connection outside the pool for bulk work (COPY, backfills): no statement or read timeout, which
   * protect request traffic but would cut a long load short. The caller ends it.
   */
  async connectBulk(id: number, applicationName = 'shard-lab-bulk'): Promise<pg.Client> {
    const shard = this.set.shard(id);
    const client = new pg.Client({ connectionString: shard.url, application_name: applicationName, options: '-c TimeZone=UTC' });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return client;
    } catch (err) {
      await client.end().catch(() => undefined);
      if (isUnavailable(err)) throw new ShardUnavailableError(shard.name, err);
      throw err;
    }
  }
}

/** The server's port, which tells the learner which PostgreSQL process answered. */
export function portOf(url: string): number {
  return Number(new URL(url).port) || 5432;
}
