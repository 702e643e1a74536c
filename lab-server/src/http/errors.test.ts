import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  InvalidInputError,
  NotFoundError,
  NotPermittedError,
  UnavailableError,
  UnknownReferenceError,
  type DomainError,
} from '../domain/errors.js';
import { errorResponse } from './errors.js';

describe('domain errors in the one error shape', () => {
  const cases: [DomainError, number][] = [
    [new InvalidInputError('invalid_cursor', 'bad cursor', { field: 'cursor' }), 400],
    [new NotPermittedError('not_a_member', 'not a member', { user_id: 'u' }), 403],
    [new NotFoundError('User u not found.', { id: 'u', shard: 'shard-0' }), 404],
    [new ConflictError('already_taken', 'taken', { field: 'email' }), 409],
    [new UnknownReferenceError('unknown_user', 'no such user', { missing_ids: ['u'] }), 422],
    [new UnavailableError('not_ready', 'not listening yet'), 503],
  ];

  it.each(cases)('%s answers with its status, code, message and details', (err, status) => {
    const logged: string[] = [];
    const reply = errorResponse(err, 'GET /x', (m) => logged.push(m));
    expect(reply).toEqual({ status, body: { error: { code: err.code, message: err.message, details: err.details } } });
    expect(logged).toEqual([]);
  });

  it('a not-found error has the code not_found', () => {
    expect(errorResponse(new NotFoundError('gone'), 'GET /x', () => undefined).body.error).toEqual({ code: 'not_found', message: 'gone', details: {} });
  });
});
