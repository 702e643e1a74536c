import { describe, expect, it } from 'vitest';
import { defaultShardNames } from '../../sharding/strategies.js';
import { judgeShardCount, shardCount } from './shard-count.js';

describe('shard-count check', () => {
  it('reads equals and at_least, and refuses anything else', () => {
    expect(shardCount.spec.parse({ kind: 'shard-count', equals: 6 })).toEqual({ kind: 'shard-count', equals: 6 });
    expect(shardCount.spec.safeParse({ kind: 'shard-count', equals: 'six' }).success).toBe(false);
    expect(shardCount.spec.safeParse({ kind: 'shard-count', most: 6 }).success).toBe(false);
  });

  it('passes on the right count and lists the ring', () => {
    expect(judgeShardCount({ kind: 'shard-count', equals: 2 }, defaultShardNames(2))).toEqual({
      passed: true,
      message: 'The ring has 2 shards (shard-0, shard-1).',
    });
    expect(judgeShardCount({ kind: 'shard-count', at_least: 5 }, defaultShardNames(6)).passed).toBe(true);
  });

  it('says how many shards to add or remove, singular or plural', () => {
    const needs = (equals: number, n: number) => judgeShardCount({ kind: 'shard-count', equals }, defaultShardNames(n));
    expect(needs(6, 5)).toEqual({ passed: false, message: 'The ring has 5 shards; this step needs 6. Add a shard first.' });
    expect(needs(7, 5).message).toBe('The ring has 5 shards; this step needs 7. Add 2 shards first.');
    expect(needs(5, 6).message).toBe('The ring has 6 shards; this step needs 5. Remove a shard first.');
    expect(needs(5, 8).message).toBe('The ring has 8 shards; this step needs 5. Remove 3 shards first.');
  });

  it('fails below at_least', () => {
    expect(judgeShardCount({ kind: 'shard-count', at_least: 6 }, defaultShardNames(5))).toEqual({
      passed: false,
      message: 'The ring has 5 shards; this step needs at least 6.',
    });
  });
});
