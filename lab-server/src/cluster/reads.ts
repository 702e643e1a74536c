import type pg from 'pg';
import type { Cluster } from './cluster.js';
import { isUnavailable } from './errors.js';

export type ReadPolicy = 'primary' | 'replica' | 'read-your-writes';

export interface ReadStats {
  policy: ReadPolicy;
  primary_reads: number;
  replica_reads: number;
  /** Replica reads that missed a row or a version the primary had (checked for keys written recently). */
  stale_reads: number;
}

/** How long after a write the key is watched: reads of it are checked for staleness (`replica`) or routed by LSN (read-your-writes). */
const WATCH_MS = 30_000;
const MAX_WATCHED = 100_000;

/**
 * Where a read by key goes, by the read policy: the primary, the shard's replica, or the replica unless it has
 * not yet replayed this lab's last write of the key (read-your-writes: the primary's WAL position after the
 * write against the replica's replay position). Under `replica`, a read of a recently written key is also
 * checked against the primary, and a difference counts as a stale read — what the original's async replicas
 * served without anyone noticing.
 */
export class ReadRouter {
  private readonly written = new Map<string, { at: number; lsn: bigint | null; shard: number }>();
  private readonly stats = { primary_reads: 0, replica_reads: 0, stale_reads: 0 };

  constructor(
    private readonly cluster: Cluster,
    private readonly policy: () => ReadPolicy,
  ) {}

  /** Every write by key reports here, after it committed; with a replica, it notes the primary's WAL position. */
  async wrote(shardId: number, key: string): Promise<void> {
    const shard = this.cluster.shard(shardId);
    let lsn: bigint | null = null;
    if (shard.replica) {
      const { rows } = await shard.pool.query<{ lsn: string }>({ name: 'reads.lsn', text: 'SELECT pg_current_wal_lsn()::text AS lsn' });
      lsn = parseLsn(rows[0]!.lsn);
    }
    if (this.written.size >= MAX_WATCHED) this.written.delete(this.written.keys().next().value!);
    this.written.delete(key);
    this.written.set(key, { at: Date.now(), lsn, shard: shardId });
  }

  async read<T>(shardId: number, key: string, fn: (pool: pg.Pool) => Promise<T>, same: (replica: T, primary: T) => boolean): Promise<T> {
    const shard = this.cluster.shard(shardId);
    const replica = shard.replica?.status === 'up' ? shard.replica : null;
    const policy = this.policy();
    const w = this.written.get(key);
    const recent = w !== undefined && Date.now() - w.at < WATCH_MS;
    if (w !== undefined && !recent) this.written.delete(key);
    let usePrimary = !replica || policy === 'primary';
    // A key written on another shard has since moved (a reshard): WAL positions of two servers do not compare.
    if (replica && policy === 'read-your-writes' && recent && w.shard !== shardId) usePrimary = true;
    else if (replica && policy === 'read-your-writes' && recent && w.lsn !== null) {
      const { rows } = await replica.pool.query<{ lsn: string | null }>({ name: 'reads.replayed', text: 'SELECT pg_last_wal_replay_lsn()::text AS lsn' });
      usePrimary = rows[0]!.lsn === null || parseLsn(rows[0]!.lsn) < w.lsn;
    }
    if (usePrimary || !replica) {
      this.stats.primary_reads++;
      return this.cluster.onShard(shardId, fn);
    }
    let value: T;
    try {
      value = await fn(replica.pool);
    } catch (err) {
      // A replica that fails mid-read is skipped; the monitor marks it down.
      if (!isUnavailable(err)) throw err;
      this.stats.primary_reads++;
      return this.cluster.onShard(shardId, fn);
    }
    this.stats.replica_reads++;
    if (recent) {
      const truth = await this.cluster.onShard(shardId, fn);
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
}

/** A WAL position "16/B374D848" as a number, to compare. */
export function parseLsn(lsn: string): bigint {
  const [hi, lo] = lsn.split('/');
  return (BigInt(`0x${hi}`) << 32n) + BigInt(`0x${lo}`);
}
