import type pg from 'pg';
import type { Cluster } from '../cluster/cluster.js';
import { throwIfCancelled } from '../jobs/registry.js';

/** What a held DDL step needs of the cluster: the shards, their pools, and the hold a promotion uses. */
export type Holding = Pick<Cluster, 'shards' | 'pools' | 'handover'>;

// A DDL step that locks a live table waits at most this long for the writes in flight, then lets the held requests
// through and tries again: a long transaction on users (a seed's COPY) must not hold every request behind it.
const LOCK_WAIT = '300ms';
const LOCK_ATTEMPTS = 40;
const LOCK_NOT_AVAILABLE = '55P03';

/**
 * Runs `statements` in one transaction on `db` while the shard's requests are held in the lab (as a promotion
 * holds them): a request waits a moment in the lab instead of queueing on the table's lock with a pool connection,
 * which at a few hundred writes a second fills the pool and fails requests (`shard_busy`, or a new connection
 * that times out). The lock is taken with a short lock_timeout and retried, releasing the hold in between;
 * `held` gets how long the requests waited on the attempt that succeeded.
 */
export async function heldDdl(
  cluster: Holding,
  shardId: number,
  db: pg.ClientBase,
  statements: string[],
  held: (ms: number) => void,
  signal: AbortSignal = new AbortController().signal,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    throwIfCancelled(signal);
    const release = cluster.handover.hold(shardId);
    const started = performance.now();
    try {
      await db.query(['BEGIN', `SET LOCAL lock_timeout = '${LOCK_WAIT}'`, ...statements, 'COMMIT'].join(';\n'));
      held(performance.now() - started);
      return;
    } catch (err) {
      await db.query('ROLLBACK').catch(() => undefined);
      if ((err as { code?: string }).code !== LOCK_NOT_AVAILABLE || attempt >= LOCK_ATTEMPTS) throw err;
    } finally {
      release();
    }
    // Let the held requests run before the next attempt.
    await new Promise((r) => setTimeout(r, 50 * attempt));
  }
}
