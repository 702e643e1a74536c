import type { Cluster } from '../../cluster/cluster.js';
import { ShardUnavailableError } from '../../cluster/errors.js';
import { onShardPrisma, type Prisma, type PrismaTx } from '../../data/prisma.js';

/**
 * The transactional outbox: an event is written on the shard where something changed, in the same
 * transaction as the change, and applied to the other shards afterwards (by the processor, or at once by
 * the request that wrote it). Handlers must be idempotent: an event can be applied more than once.
 */
export interface OutboxEvent {
  id: bigint;
  topic: string;
  payload: Prisma.JsonValue;
  attempts: number;
}

/** Records an event inside the caller's transaction. `delayMs` holds it back from the processor (see conversations). */
export async function enqueue(tx: PrismaTx, topic: string, payload: object, delayMs = 0): Promise<bigint> {
  const row = await tx.outbox.create({
    data: { topic, payload: payload as Prisma.InputJsonObject, available_at: new Date(Date.now() + delayMs) },
    select: { id: true },
  });
  return row.id;
}

/** The oldest available events, leased for `leaseMs`: another worker skips them until the lease lapses. */
export async function lease(db: PrismaTx, limit: number, leaseMs: number): Promise<OutboxEvent[]> {
  return db.$queryRaw<OutboxEvent[]>`
    UPDATE outbox SET available_at = now() + make_interval(secs => ${leaseMs / 1000}), attempts = attempts + 1
    WHERE id IN (SELECT id FROM outbox WHERE available_at <= now() ORDER BY id LIMIT ${limit} FOR UPDATE SKIP LOCKED)
    RETURNING id, topic, payload, attempts`;
}

/** How many delivered events each shard keeps in `outbox_delivered`, for the learner to look back on. */
export const DELIVERED_KEPT = 500;

/** Moves an applied event to `outbox_delivered` and trims that history, in one statement: never in both tables, nor in neither. */
export async function complete(db: PrismaTx, id: bigint): Promise<void> {
  await db.$executeRaw`
    WITH done AS (DELETE FROM outbox WHERE id = ${id} RETURNING id, topic, payload, created_at, attempts, last_error),
         moved AS (INSERT INTO outbox_delivered (id, topic, payload, created_at, attempts, last_error)
                   SELECT id, topic, payload, created_at, attempts, last_error FROM done ON CONFLICT (id) DO NOTHING)
    DELETE FROM outbox_delivered WHERE id <= ${id - BigInt(DELIVERED_KEPT)}`;
}

/** Puts a failed event back with a later available_at (exponential backoff, capped) and the error for the learner. */
export async function retryLater(db: PrismaTx, id: bigint, attempts: number, error: string): Promise<void> {
  const delayMs = Math.min(30_000, 250 * 2 ** Math.min(attempts, 10));
  await db.outbox.updateMany({ where: { id }, data: { available_at: new Date(Date.now() + delayMs), last_error: error.slice(0, 1000) } });
}

export interface ShardBacklog {
  shard: string;
  /** null when the shard did not answer. */
  pending: number | null;
  /** Events that failed at least once and wait for a retry. */
  failing: number | null;
  oldest_at: string | null;
  last_error: string | null;
}

export interface OutboxBacklog {
  total_pending: number;
  shards: ShardBacklog[];
}

/**
 * Events not yet applied, per shard, in shard order. Draining a shard (before it is removed) waits for its
 * `pending` to reach 0.
 */
export async function outboxBacklog(cluster: Pick<Cluster, 'shards' | 'pools'>): Promise<OutboxBacklog> {
  const shards = await Promise.all(
    cluster.shards.map(async (s): Promise<ShardBacklog> => {
      try {
        return await onShardPrisma(cluster, s.id, async (db) => {
          const [agg, failing, lastFailed] = await db.$transaction([
            db.outbox.aggregate({ _count: { _all: true }, _min: { created_at: true } }),
            db.outbox.count({ where: { last_error: { not: null } } }),
            db.outbox.findFirst({ where: { last_error: { not: null } }, orderBy: { id: 'desc' }, select: { last_error: true } }),
          ]);
          return {
            shard: s.name,
            pending: agg._count._all,
            failing,
            oldest_at: agg._min.created_at?.toISOString() ?? null,
            last_error: lastFailed?.last_error ?? null,
          };
        });
      } catch (err) {
        if (!(err instanceof ShardUnavailableError)) throw err;
        return { shard: s.name, pending: null, failing: null, oldest_at: null, last_error: err.message };
      }
    }),
  );
  return { total_pending: shards.reduce((n, s) => n + (s.pending ?? 0), 0), shards };
}
