import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ShardBusyError, ShardMovingError, ShardRemovedError, ShardUnavailableError } from '../cluster/errors.js';
import { ConsoleRoleError } from '../console/console-role.js';
import { ConsoleBusyError } from '../console/sql.js';
import { ConflictError, DomainError, InvalidInputError, NotFoundError, NotPermittedError, UnavailableError, UnknownReferenceError } from '../domain/errors.js';
import { MigrationError } from '../migrations/index.js';

import { ApiError, type ErrorBody } from './api-error.js';

export { ApiError, type ErrorBody };

export const notFound = (message: string, details: Record<string, unknown> = {}): ApiError => new ApiError(404, 'not_found', message, details);

export const unknownRoute: RequestHandler = (req, _res, next) => {
  next(new ApiError(404, 'route_not_found', `No route for ${req.method} ${req.path}`, { method: req.method, path: req.path }));
};

/** Turns anything thrown into the one error shape; only genuine bugs become 500, and those are logged. */
export function errorHandler(log: (message: string) => void): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const { status, body } = errorResponse(err, `${req.method} ${req.originalUrl}`, log);
    if (status === 503) res.set('Retry-After', '1');
    res.status(status).json(body);
  };
}

/** The status and body for anything thrown (shared by the Express app and the lean dispatcher). */
export function errorResponse(err: unknown, request: string, log: (message: string) => void): { status: number; body: ErrorBody } {
  const e = toApiError(err);
  if (e.status >= 500 && e.code === 'internal') log(`${request} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return { status: e.status, body: { error: { code: e.code, message: e.message, details: e.details } } };
}

/** The one place that decides which HTTP status each kind of domain error becomes. */
const DOMAIN_STATUS: [new (...args: never[]) => DomainError, number][] = [
  [InvalidInputError, 400],
  [NotPermittedError, 403],
  [NotFoundError, 404],
  [ConflictError, 409],
  [UnknownReferenceError, 422],
  [UnavailableError, 503],
];

function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const domainStatus = err instanceof DomainError ? DOMAIN_STATUS.find(([kind]) => err instanceof kind)?.[1] : undefined;
  if (err instanceof DomainError && domainStatus !== undefined) return new ApiError(domainStatus, err.code, err.message, err.details);
  if (err instanceof ShardBusyError) {
    return new ApiError(
      503,
      'shard_busy',
      `${err.shardName} is overloaded: no connection of its pool became free in time. Retry, or raise the pool (tune knob pool_max N, or LAB_POOL_MAX at start).`,
      {
        shards: [err.shardName],
      },
    );
  }
  if (err instanceof ShardMovingError) {
    return new ApiError(503, 'shard_moving', `Rows of this key are moving from ${err.shardName} to another shard; retry in a moment.`, {
      shards: [err.shardName],
    });
  }
  if (err instanceof ShardRemovedError) {
    return new ApiError(503, 'shard_unavailable', `${err.shardName} left the cluster while this request ran; retry, and the current ring answers.`, {
      shards: [err.shardName],
    });
  }
  if (err instanceof ShardUnavailableError) {
    return new ApiError(503, 'shard_unavailable', `${err.shardName} is unavailable; requests for its keys fail until it is back.`, {
      shards: [err.shardName],
    });
  }
  if (err instanceof MigrationError) {
    return new ApiError(409, 'migration_failed', `${err.message}. Fix the cause and run it again; shards that succeeded are not re-run.`, {
      report: err.report,
    });
  }
  if (err instanceof ConsoleBusyError) return new ApiError(429, 'console_busy', err.message);
  if (err instanceof ConsoleRoleError) return new ApiError(409, 'console_role_missing', err.message);
  const pgErr = err as { code?: unknown; message?: unknown };
  if ((pgErr?.code === '26000' || pgErr?.code === '42P05') && typeof pgErr.message === 'string') {
    // Not a bug in the lab but a pool mode its named statements cannot live with: name it, so the learner sees why.
    return new ApiError(
      500,
      'prepared_statement_lost',
      `PostgreSQL: ${pgErr.message}. A named prepared statement lives on one server connection, and transaction pooling hands the next transaction another; turn prepared_statements off (PUT /lab/v1/settings).`,
    );
  }
  const httpErr = err as { type?: string; status?: number; message?: string };
  if (httpErr?.type === 'entity.parse.failed') {
    return new ApiError(400, 'invalid_json', `The request body is not valid JSON: ${httpErr.message ?? ''}`.trim());
  }
  if (httpErr?.type === 'entity.too.large') return new ApiError(413, 'payload_too_large', 'The request body is too large.');
  if (typeof httpErr?.status === 'number' && httpErr.status >= 400 && httpErr.status < 500) {
    // Other 4xx come from Express and its middleware, whose messages can name files on disk: say only the status.
    return new ApiError(httpErr.status, 'bad_request', `${http.STATUS_CODES[httpErr.status] ?? 'Bad request'}.`);
  }
  return new ApiError(500, 'internal', 'Internal error; the lab log has the details.');
}

/**
 * A request Node cannot even parse (an unknown method, a malformed header) never reaches a route: it still
 * gets the one error shape instead of Node's bare 400.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || (err as { code?: string }).code === 'ECONNRESET') return void socket.destroy();
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
  const body = JSON.stringify({ error: { code: 'bad_request', message: `The request could not be parsed (${err.code ?? 'malformed'}).`, details: {} } });
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
