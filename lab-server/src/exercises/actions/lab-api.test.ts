import { describe, expect, it } from 'vitest';
import { StepFailed } from '../action-kind.js';
import { failUnlessOk, newestShard, removeShardPath } from './lab-api.js';

describe('newestShard', () => {
  it('is the highest shard number, compared as numbers', () => {
    expect(newestShard(['shard-0', 'shard-9', 'shard-10', 'shard-2'])).toBe('shard-10');
    expect(newestShard(['external', 'shard-1'])).toBe('shard-1');
  });

  it('fails on an empty ring', () => {
    expect(() => newestShard([])).toThrow(StepFailed);
  });
});

describe('failUnlessOk', () => {
  it('passes a success, and names the API’s own error', () => {
    expect(() => failUnlessOk({ status: 202, body: {} }, 'POST /lab/v1/seed')).not.toThrow();
    expect(() => failUnlessOk({ status: 409, body: { error: { code: 'busy', message: 'A job is running.' } } }, 'POST /lab/v1/shards')).toThrow(
      'POST /lab/v1/shards failed: A job is running.',
    );
  });
});

describe('removeShardPath', () => {
  it('escapes the name', () => {
    expect(removeShardPath('shard-5')).toBe('/lab/v1/shards/shard-5');
    expect(removeShardPath('a/b')).toBe('/lab/v1/shards/a%2Fb');
  });
});
