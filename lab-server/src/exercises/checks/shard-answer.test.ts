import { describe, expect, it } from 'vitest';
import { noSuchShard, shardAnswer } from './shard-answer.js';

const shards = ['shard-0', 'shard-1', 'shard-3'];

describe('shardAnswer', () => {
  it('accepts a name, a bare number, any case and surrounding spaces', () => {
    expect(shardAnswer('shard-1', shards)).toBe('shard-1');
    expect(shardAnswer(3, shards)).toBe('shard-3');
    expect(shardAnswer('3', shards)).toBe('shard-3');
    expect(shardAnswer(' Shard-0 ', shards)).toBe('shard-0');
  });

  it('is null for no answer and for a shard that does not exist', () => {
    expect(shardAnswer(undefined, shards)).toBeNull();
    expect(shardAnswer('shard-2', shards)).toBeNull();
    expect(shardAnswer('2', shards)).toBeNull();
    expect(shardAnswer('shard-1; drop', shards)).toBeNull();
  });

  it('tells the learner to pick one, or that the named one does not exist', () => {
    expect(noSuchShard(undefined)).toBe('Pick a shard first.');
    expect(noSuchShard('shard-9')).toBe("There is no shard 'shard-9'.");
  });
});
