import { describe, expect, it } from 'vitest';
import { removeShard } from './remove-shard.js';

describe('remove-shard step', () => {
  it('takes an optional shard name', () => {
    expect(removeShard.spec.parse({ do: 'remove-shard' })).toEqual({ do: 'remove-shard' });
    expect(removeShard.spec.parse({ do: 'remove-shard', shard: 'shard-5' })).toEqual({ do: 'remove-shard', shard: 'shard-5' });
    expect(removeShard.spec.safeParse({ do: 'remove-shard', shard: 5 }).success).toBe(false);
  });

  it('names the shard, or the newest', () => {
    expect(removeShard.describe({ do: 'remove-shard', shard: 'shard-5' })).toBe('Remove shard-5, draining its rows — DELETE /lab/v1/shards/shard-5');
    expect(removeShard.describe({ do: 'remove-shard' })).toBe('Remove the newest shard, draining its rows — DELETE /lab/v1/shards/:name');
  });
});
