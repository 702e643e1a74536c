import type pg from 'pg';
import { ClusterError } from './errors.js';
import type { ShardStatus } from './cluster.js';

// What a promotion waits on: WAL positions on the primary and the replica, and the old primary's running queries.

export interface Promotion {
  /** switchover: the primary was up and handed over cleanly; failover: it was down or paused, and was killed. */
  kind: 'switchover' | 'failover';
  old_primary: { url: string; pid: number | null; data_dir: string; status: ShardStatus };
  new_primary: { url: string; pid: number | null; data_dir: string };
  /** Switchover: the primary's WAL position when writes were paused; the replica replayed at least this far. */
  primary_lsn: string | null;
  /** The last WAL position the replica had received when it was promoted: everything after it is lost. */
  received_lsn: string;
  /** The replica's lag as last measured by the health monitor, before the promotion. */
  last_known_lag_bytes: number | null;
}

const CATCH_UP_MS = 15_000;
/** How long a switchover lets the shard's running queries finish before the old primary stops. */
export const HANDOVER_DRAIN_MS = 5_000;

/** Resolves once no client of the pool is lent out (or after `ms`: what still runs then is cut off). */
export async function idle(pool: pg.Pool, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (pool.totalCount - pool.idleCount > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

export async function walPosition(pool: pg.Pool, expression: string): Promise<string> {
  const { rows } = await pool.query<{ lsn: string }>(`SELECT (${expression})::text AS lsn`);
  return rows[0]!.lsn;
}

/**
 * Waits until the replica has replayed up to `target`, or (null) everything it has received; a replica that
 * does not get there in time is an error, before anything has changed.
 */
export async function waitForReplay(replica: pg.Pool, target: string | null, name: string): Promise<void> {
  const deadline = Date.now() + CATCH_UP_MS;
  for (;;) {
    const { rows } = await replica.query<{ done: boolean }>(
      target === null
        ? 'SELECT pg_last_wal_receive_lsn() IS NULL OR pg_last_wal_replay_lsn() >= pg_last_wal_receive_lsn() AS done'
        : 'SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done',
      target === null ? [] : [target],
    );
    if (rows[0]?.done) return;
    if (Date.now() > deadline) throw new ClusterError(`${name} did not catch up${target ? ` to ${target}` : ''} within ${CATCH_UP_MS / 1000} s; nothing was promoted.`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
