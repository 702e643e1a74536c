import type pg from 'pg';
import type { Cluster } from '../cluster/cluster.js';

export type WithBulk = <T>(shardId: number, fn: (db: pg.Client) => Promise<T>) => Promise<T>;

/**
 * One bulk connection per shard for a whole job, opened on first use and used one statement at a time (pg
 * queues concurrent queries, but no longer wants to be asked to): the pauses at verify and cutover must not
 * spend time connecting and authenticating, and a snapshot lives on its connection.
 */
export class BulkConnections {
  private readonly open = new Map<number, Promise<pg.Client>>();
  private readonly queues = new Map<number, Promise<unknown>>();

  constructor(
    private readonly cluster: Pick<Cluster, 'pools'>,
    private readonly applicationName: string,
  ) {}

  use<T>(shardId: number, fn: (db: pg.Client) => Promise<T>): Promise<T> {
    let client = this.open.get(shardId);
    if (!client) {
      client = this.cluster.pools.connectBulk(shardId, this.applicationName);
      this.open.set(shardId, client);
      client.catch(() => this.open.delete(shardId));
    }
    const c = client;
    const next = (this.queues.get(shardId) ?? Promise.resolve()).catch(() => undefined).then(async () => fn(await c));
    this.queues.set(shardId, next);
    return next;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.catch(() => undefined)));
    await Promise.all([...this.open.values()].map((c) => c.then((x) => x.end()).catch(() => undefined)));
  }
}
