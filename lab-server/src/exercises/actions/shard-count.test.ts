import { describe, expect, it } from 'vitest';
import { shardCount } from './shard-count.js';

describe('shard-count step', () => {
  it('takes a count of at least 1, or `configured`', () => {
    expect(shardCount.spec.parse({ do: 'shard-count', equals: 'configured' })).toEqual({ do: 'shard-count', equals: 'configured' });
    expect(shardCount.spec.parse({ do: 'shard-count', equals: 6 })).toEqual({ do: 'shard-count', equals: 6 });
    for (const equals of [0, 2.5, 'default']) expect(shardCount.spec.safeParse({ do: 'shard-count', equals }).success, String(equals)).toBe(false);
  });

  it('says the target', () => {
    expect(shardCount.describe({ do: 'shard-count', equals: 6 })).toBe('Bring the ring to 6 shards');
    expect(shardCount.describe({ do: 'shard-count', equals: 'configured' })).toBe('Bring the ring to the configured number of shards');
  });
});
