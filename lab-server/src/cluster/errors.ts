/** Starting or reaching the cluster failed in a way the user can fix; the message says how. */
export class ClusterError extends Error {
  override readonly name = 'ClusterError';
}

/** A shard could not answer (down, unreachable, paused past the timeout). Maps to HTTP 503. */
export class ShardUnavailableError extends Error {
  override readonly name: string = 'ShardUnavailableError';
  constructor(
    readonly shardName: string,
    cause: unknown,
  ) {
    super(`${shardName} is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/**
 * The shard answers, but no pooled connection became free in time: overload, not an outage. Also a 503,
 * with its own code, and the shard is not marked down.
 */
export class ShardBusyError extends ShardUnavailableError {
  override readonly name: string = 'ShardBusyError';
}

/** The shard left the cluster (a removal, a lab reset) while a request was using it: retry, and the new ring answers. */
export class ShardRemovedError extends ShardUnavailableError {
  override readonly name: string = 'ShardRemovedError';
}

/** SQLSTATE of a write refused because its rows are moving (a reshard's guard during the write pause). */
export const MOVING_SQLSTATE = 'LR001';

/** The shard answers, but the rows of this key are moving to another shard: retry in a moment. Not an outage. */
export class ShardMovingError extends ShardUnavailableError {
  override readonly name: string = 'ShardMovingError';
}

export const isMoving = (err: unknown): boolean => (err as { code?: unknown } | null)?.code === MOVING_SQLSTATE;

/** pg-pool gives the same message when a new connection cannot be made and when none is free to lend. */
export const isPoolTimeout = (err: unknown): boolean => err instanceof Error && /timeout exceeded when trying to connect/.test(err.message);

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up or shutting down)
  '08000',
  '08003',
  '08006', // connection_failure
]);

/** True when an error from `pg` means the server could not be reached, rather than that the query was wrong. */
export function isUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
  return /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED|Client has encountered a connection error/i.test(err.message);
}
