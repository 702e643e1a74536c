import type pg from 'pg';
import { statement } from '../postgres/statements.js';
import { isUnavailable } from './errors.js';
import { portOf, type ShardPools } from './shard-pools.js';
import { inSpan, lateSpan } from '../tracing/tracing.js';
import type { ShardSet } from './shard-set.js';

export type ReadPolicy = 'primary' | 'replica' | 'read-your-writes';

export interface ReadCounts {
  primary_reads: number;
  replica_reads: number;
  /** Replica reads that missed a row or a version the primary had (checked for keys written recently). */
  stale_reads: number;
}

const noReads = (): ReadCounts => ({ primary_reads: 0, replica_reads: 0, stale_reads: 0 });

export interface ReadStats extends ReadCounts {
  policy: ReadPolicy;
}

/** A write as one prefork worker tells the others: the key, its shard, the primary's WAL position after it. */
export interface PeerWrite {
  key: string;
  shard: number;
  lsn: string;
}

/** How long after a write the key is watched: reads of it are checked for staleness (`replica`) or routed by LSN (read-your-writes). */
const WATCH_MS = 30_000;
const MAX_WATCHED = 100_000;
/** How long a traced write's replication span waits for the replica to replay it. */
const REPLAY_WAIT_MS = 2_000;

/**
 * Where a read by key goes, by the read policy: the primary, the shard's replica, or the replica unless it has
 * not yet replayed this lab's last write of the key (read-your-writes: the primary's WAL position after the
 * write against the replica's replay position). Under `replica`, a read of a recently written key is also
 * checked against the primary, and a difference counts as a stale read — what the original's async replicas
 * served without anyone noticing.
 */
export class ReadRouter {
  private readonly written = new Map<string, { at: number; lsn: bigint | null; shard: number }>();
  private stats = noReads();

  constructor(
    private readonly shards: ShardSet,
    private readonly pools: ShardPools,
    private readonly policy: () => ReadPolicy,
  ) {}

  /** Set in a prefork worker: a write the shard's replica has to catch up with is told to the other workers. */
  onWrite: ((write: PeerWrite) => void) | null = null;

  /** Every write by key reports here, after it committed; with a replica, it notes the primary's WAL position. */
  async wrote(shardId: number, key: string): Promise<void> {
    const shard = this.shards.shard(shardId);
    if (!shard.replica) return this.remember(key, shardId, null);
    const position = shard.pool.query<{ lsn: string }>(statement('reads.lsn', 'SELECT pg_current_wal_lsn()::text AS lsn'));
    const replica = shard.replica;
    // A traced write: from its commit until the replica has replayed past it, measured after the response.
    lateSpan(`replication to ${replica.name}`, { 'lab.replica': replica.name, 'server.port': portOf(replica.url) }, async (span) => {
      const lsn = (await position).rows[0]!.lsn;
      span.setAttribute('lab.wal.lsn', lsn);
      const give_up = performance.now() + REPLAY_WAIT_MS;
      let polls = 0;
      let caught_up = false;
      while (!caught_up && performance.now() < give_up) {
        polls++;
        const r = await replica.pool.query<{ done: boolean | null }>('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done', [lsn]);
        caught_up = r.rows[0]?.done === true;
      }
      span.setAttributes({ 'lab.replication.caught_up': caught_up, 'lab.replication.polls': polls });
    });
    const { rows } = await position;
    this.remember(key, shardId, parseLsn(rows[0]!.lsn));
    this.onWrite?.({ key, shard: shardId, lsn: rows[0]!.lsn });
  }

  /** A write another worker served: reads of its key are routed and checked as if this process had served it. */
  learn(write: PeerWrite): void {
    this.remember(write.key, write.shard, parseLsn(write.lsn));
  }

  private remember(key: string, shard: number, lsn: bigint | null): void {
    if (this.written.size >= MAX_WATCHED) this.written.delete(this.written.keys().next().value!);
    this.written.delete(key);
    this.written.set(key, { at: Date.now(), lsn, shard });
  }

  async read<T>(shardId: number, key: string, fn: (pool: pg.Pool) => Promise<T>, same: (replica: T, primary: T) => boolean): Promise<T> {
    const shard = this.shards.shard(shardId);
    const replica = shard.replica?.status === 'up' ? shard.replica : null;
    const policy = this.policy();
    const w = this.written.get(key);
    const recent = w !== undefined && Date.now() - w.at < WATCH_MS;
    if (w !== undefined && !recent) this.written.delete(key);
    let usePrimary = !replica || policy === 'primary';
    // A key written on another shard has since moved (a reshard): WAL positions of two servers do not compare.
    if (replica && policy === 'read-your-writes' && recent && w.shard !== shardId) usePrimary = true;
    else if (replica && policy === 'read-your-writes' && recent && w.lsn !== null) {
      const { rows } = await replica.pool.query<{ lsn: string | null }>(statement('reads.replayed', 'SELECT pg_last_wal_replay_lsn()::text AS lsn'));
      usePrimary = rows[0]!.lsn === null || parseLsn(rows[0]!.lsn) < w.lsn;
    }
    if (usePrimary || !replica) {
      this.stats.primary_reads++;
      return this.pools.onShard(shardId, fn);
    }
    let value: T;
    try {
      value = await inSpan(`${shard.name} replica`, { 'lab.shard': shard.name, 'lab.role': 'replica', 'server.port': portOf(replica.url) }, () =>
        fn(replica.pool),
      );
    } catch (err) {
      // A replica that fails mid-read is skipped; the monitor marks it down.
      if (!isUnavailable(err)) throw err;
      this.stats.primary_reads++;
      return this.pools.onShard(shardId, fn);
    }
    this.stats.replica_reads++;
    if (recent) {
      const truth = await this.pools.onShard(shardId, fn);
      if (!same(value, truth)) this.stats.stale_reads++;
    }
    return value;
  }

  /**
   * Keys written on the shard (in the last 30 s) whose commit the client saw after the WAL position `lsn`: a
   * replica that had received only up to `lsn` lacks them, so promoting it loses them. An upper bound — the
   * position is read just after each commit.
   */
  writtenAfter(shardId: number, lsn: bigint): string[] {
    return [...this.written].filter(([, w]) => w.shard === shardId && w.lsn !== null && w.lsn > lsn).map(([key]) => key);
  }

  /** Drops the shard's watched writes: after a promotion their WAL positions belong to a server that is gone. */
  forgetShard(shardId: number): void {
    for (const [key, w] of this.written) if (w.shard === shardId) this.written.delete(key);
  }

  snapshot(): ReadStats {
    return { policy: this.policy(), ...this.stats };
  }

  /** The reads counted since the last call, and starts counting from zero: a prefork worker reports them so. */
  drain(): ReadCounts {
    const counts = this.stats;
    this.stats = noReads();
    return counts;
  }

  /** Adds reads another process served (a prefork worker's drain()) to these counts. */
  add(counts: ReadCounts): void {
    this.stats.primary_reads += counts.primary_reads;
    this.stats.replica_reads += counts.replica_reads;
    this.stats.stale_reads += counts.stale_reads;
  }
}

/** A WAL position "16/B374D848" as a number, to compare. */
export function parseLsn(lsn: string): bigint {
  const [hi, lo] = lsn.split('/');
  return (BigInt(`0x${hi}`) << 32n) + BigInt(`0x${lo}`);
}
