import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';
import type { Cluster } from '../cluster/cluster.js';
import { MOVING_SQLSTATE } from '../cluster/errors.js';
import { PrismaClient } from '../generated/prisma/client.js';

export { Prisma, type PrismaClient } from '../generated/prisma/client.js';

/** Inside `$transaction(async (tx) => …)`: the client minus what a transaction cannot do. */
export type PrismaTx = Omit<PrismaClient, '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'>;

const clients = new WeakMap<pg.Pool, PrismaClient>();

/**
 * One Prisma client per shard, over that shard's own `pg` pool: both data layers share the same connections,
 * limits and statement timeout, so comparing them compares the layers and nothing else. Keyed by the pool,
 * not the shard id, so a shard that is replaced (resharding) gets a new client with its new pool.
 */
export function prismaFor(pool: pg.Pool): PrismaClient {
  let client = clients.get(pool);
  if (!client) {
    // A transaction waits for a connection as long as a plain query on the same pool does, not Prisma's own
    // 2 s: on a loaded machine a busy pool otherwise fails a request a plain query would have served.
    const maxWait = pool.options.connectionTimeoutMillis || undefined;
    client = new PrismaClient({ adapter: new PrismaPg(pool), ...(maxWait ? { transactionOptions: { maxWait } } : {}) });
    clients.set(pool, client);
  }
  return client;
}

/** Prisma's codes and driver-adapter kinds for "could not talk to the server" (not "the query was wrong"). */
const UNREACHABLE_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017']);
const UNREACHABLE_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TlsConnectionError']);
/** Prisma's "Transaction API error", of which "Unable to start a transaction in the given time" is one. */
const TRANSACTION_NOT_STARTED = 'P2028';

/**
 * `cluster.pools.onShard` for the Prisma layer: the shard's client, and Prisma's connection errors turned into the
 * driver error `onShard` already maps to ShardUnavailableError (HTTP 503 naming the shard).
 */
export function onShardPrisma<T>(cluster: Pick<Cluster, 'pools'>, shard: number, fn: (db: PrismaClient) => Promise<T>): Promise<T> {
  return cluster.pools.onShard(shard, async (pool) => {
    try {
      return await fn(prismaFor(pool));
    } catch (err) {
      const e = err as ErrorWithCause;
      const kind = e?.meta?.driverAdapterError?.cause?.kind;
      if ((typeof e?.code === 'string' && UNREACHABLE_CODES.has(e.code)) || (typeof kind === 'string' && UNREACHABLE_KINDS.has(kind))) {
        throw Object.assign(new Error(err instanceof Error ? err.message.trim().split('\n').pop()! : String(err), { cause: err }), { code: '08006' });
      }
      // An interactive transaction that got no connection within maxWait (the pool's own wait): a busy pool, which
      // onShard answers as it does pg's own wait running out (503 shard_busy), not a bug.
      if (e?.code === TRANSACTION_NOT_STARTED && /Unable to start a transaction in the given time/.test(err instanceof Error ? err.message : '')) {
        throw new Error(`timeout exceeded when trying to connect (Prisma could not start its transaction in time)`, { cause: err });
      }
      // Prisma wraps the driver's error; surface the guard's SQLSTATE so onShard answers 503 shard_moving.
      if (sqlState(err) === MOVING_SQLSTATE)
        throw Object.assign(new Error('rows of this key are moving to another shard', { cause: err }), { code: MOVING_SQLSTATE });
      throw err;
    }
  });
}

interface ErrorWithCause {
  code?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: { cause?: { originalCode?: unknown; kind?: unknown } } };
}

/** The SQLSTATE behind an error from either layer (Prisma wraps the driver's error; pg gives it directly). */
export function sqlState(err: unknown): string | undefined {
  const e = err as ErrorWithCause | null;
  if (!e || typeof e !== 'object') return undefined;
  const adapterCause = e.meta?.driverAdapterError?.cause;
  if (typeof adapterCause?.originalCode === 'string') return adapterCause.originalCode;
  if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return e.code;
  return e.cause ? sqlState(e.cause) : undefined;
}

/** PostgreSQL's foreign_key_violation, whichever layer raised it. */
export const isForeignKeyViolation = (err: unknown): boolean => sqlState(err) === '23503' || (err as ErrorWithCause)?.code === 'P2003';
