import pg from 'pg';
import type { LabConfig } from '../config.js';
import { isMoving, isPoolTimeout, isUnavailable, ShardBusyError, ShardMovingError, ShardRemovedError, ShardUnavailableError } from './errors.js';
import { HealthProbe } from './health.js';
import { createPool, type PoolLimits } from '../postgres/pool.js';
import type { Shard } from './shard.js';
import type { ShardSet } from './shard-set.js';
import { inSpan } from '../tracing/tracing.js';

/** The request pools' session name in the primary (`pg_stat_activity.application_name`). */
export const API_APPLICATION = 'shard-lab';
/** A prefork worker's request pools are named with this and its pid, so pg_stat_activity tells each process's pool apart. */
export const WORKER_APPLICATION_PREFIX = 'shard-lab-worker-';

/**
 * Connections to the shards: each shard's pool and health probe, queries through the pool with outages named
 * by shard, and connections outside it for bulk work.
 */
export class ShardPools {
  /** Starts as LAB_POOL_* say; the tuning chapter's knobs change it at run time (`reconfigure`). */
  private limits: PoolLimits;
  /** Pools replaced by a reconfigure, still finishing the queries they had; ended after a grace period or on close. */
  private readonly retiring = new Set<pg.Pool>();
  /** Small pools for the lab's own administration (reading and setting parameters), by server address. */
  private readonly admins = new Map<string, pg.Pool>();
  /** Queries running through onShard per shard, and who waits for them to end (see drained). */
  private readonly running = new Map<Shard, { count: number; idle: (() => void)[] }>();

  /** The request pools' application_name: the primary's, or a prefork worker's (set before any shard is registered). */
  applicationName: string = API_APPLICATION;

  constructor(
    private readonly set: ShardSet,
    private readonly config: Pick<LabConfig, 'pool' | 'healthIntervalMs'>,
  ) {
    this.limits = { ...config.pool };
  }

  pool(url: string, applicationName = this.applicationName): pg.Pool {
    return createPool(url, this.limits, applicationName);
  }

  get poolLimits(): Readonly<PoolLimits> {
    return this.limits;
  }

  /**
   * New limits for every shard's pool, in force for the next request: each shard gets a new pool built with
   * them. A pg pool cannot change its size or its connections' session settings in place, and a request that
   * already holds the old pool (a transaction halfway through) must be able to finish on it, so the old pool
   * is ended only after the statement timeout has passed.
   */
  reconfigure(limits: PoolLimits): void {
    this.limits = { ...limits };
    const grace = Math.max(limits.statementTimeoutMs, this.config.pool.statementTimeoutMs, 5_000) + 1_000;
    for (const shard of this.set.shards) {
      const old = shard.pool;
      // The same server the old pool reached: the shard's own, or the PgBouncer pooling put in front of it.
      shard.pool = this.pool(old.options.connectionString ?? shard.url);
      this.retiring.add(old);
      setTimeout(() => void this.retire(old), grace).unref();
    }
  }

  private async retire(pool: pg.Pool): Promise<void> {
    if (!this.retiring.delete(pool)) return;
    await pool.end().catch(() => undefined);
  }

  /**
   * A shard's administration pool: the limits LAB_POOL_* set at start, whatever the tuning knobs say, so a
   * learner who starves the request pool (or gives it a 100 ms wait) can still read and turn the knobs.
   */
  admin(shard: Shard): pg.Pool {
    let pool = this.admins.get(shard.url);
    if (!pool) {
      pool = createPool(shard.url, { ...this.config.pool, max: 2 }, 'shard-lab-admin');
      this.admins.set(shard.url, pool);
    }
    return pool;
  }

  /** Ends the pools a reconfigure replaced and the administration pools (the cluster closes the current ones). */
  async closeRetired(): Promise<void> {
    await Promise.all([...this.retiring].map((p) => this.retire(p)));
    await Promise.all([...this.admins.values()].map((p) => p.end().catch(() => undefined)));
    this.admins.clear();
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
    const running = this.running.get(shard) ?? { count: 0, idle: [] };
    this.running.set(shard, running);
    running.count++;
    try {
      return await inSpan(`${shard.name} primary`, { 'lab.shard': shard.name, 'lab.role': 'primary', 'server.port': portOf(shard.url) }, () => fn(shard.pool));
    } catch (err) {
      // Its pool was ended under the request: whatever the error says, the shard is gone, not down.
      if (!this.set.has(shard)) throw new ShardRemovedError(shard.name, err);
      if (isMoving(err)) throw new ShardMovingError(shard.name, err);
      // Every connection lent out and the health probe's own connection still answering: overloaded, not down.
      if (isPoolTimeout(err) && shard.status === 'up' && shard.pool.totalCount >= this.limits.max) throw new ShardBusyError(shard.name, err);
      if (isUnavailable(err) || (err instanceof Error && /Query read timeout/.test(err.message))) {
        if (shard.status !== 'paused') this.set.setStatus(shard, 'down', err instanceof Error ? err.message : String(err));
        throw new ShardUnavailableError(shard.name, err);
      }
      throw err;
    } finally {
      if (--running.count === 0) for (const resolve of running.idle.splice(0)) resolve();
    }
  }

  /**
   * Resolves once no query of the shard is running through onShard (new ones wait while it is held), or after
   * `limitMs`: a request that holds one shard while it waits on another must not stall a swap for ever.
   */
  async drained(id: number, limitMs: number): Promise<void> {
    const running = this.running.get(this.set.shard(id));
    if (!running || running.count === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([new Promise<void>((resolve) => running.idle.push(resolve)), new Promise<void>((resolve) => (timer = setTimeout(resolve, limitMs)))]);
    clearTimeout(timer);
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
