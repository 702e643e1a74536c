import { describe, expect, it } from 'vitest';
import { ConflictError, UnavailableError } from '../domain/errors.js';
import { replyError } from './self-client.js';

describe('replyError', () => {
  it('keeps a shard outage a 503 and a refusal a 409, with their codes, messages and details', () => {
    const down = replyError(
      { status: 503, body: { error: { code: 'shard_unavailable', message: 'shard-1 is unavailable', details: { shards: ['shard-1'] } } } },
      'x',
    );
    expect(down).toBeInstanceOf(UnavailableError);
    expect(down).toMatchObject({ code: 'shard_unavailable', message: 'shard-1 is unavailable', details: { shards: ['shard-1'] } });
    const refused = replyError({ status: 409, body: { error: { code: 'too_few_users', message: 'Seed first' } } }, 'x');
    expect(refused).toBeInstanceOf(ConflictError);
    expect(refused).toMatchObject({ code: 'too_few_users', details: {} });
  });

  it('says what failed for anything else, a body without an error included', () => {
    const odd = replyError({ status: 500, body: null }, 'Could not read the predictions');
    expect(odd).not.toBeInstanceOf(UnavailableError);
    expect(odd.message).toBe('Could not read the predictions: HTTP 500');
  });
});
