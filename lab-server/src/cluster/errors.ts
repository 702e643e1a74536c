/** Starting or reaching the cluster failed in a way the user can fix; the message says how. */
export class ClusterError extends Error {
  override readonly name = 'ClusterError';
}

/** A shard could not answer (down, unreachable, paused past the timeout). Maps to HTTP 503. */
export class ShardUnavailableError extends Error {
  override readonly name = 'ShardUnavailableError';
  constructor(
    readonly shardName: string,
    cause: unknown,
  ) {
    super(`${shardName} is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

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
  'LR001', // the lab's own: rows of this hash range are moving (a reshard's brief write pause)
]);

/** True when an error from `pg` means the server could not be reached, rather than that the query was wrong. */
export function isUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
  return /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED|Client has encountered a connection error/i.test(
    err.message,
  );
}
