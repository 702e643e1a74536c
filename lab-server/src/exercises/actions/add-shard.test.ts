import { describe, expect, it } from 'vitest';
import { addShard } from './add-shard.js';

describe('add-shard step', () => {
  it('needs a mode: rebalance or faithful', () => {
    expect(addShard.spec.parse({ do: 'add-shard', mode: 'faithful' })).toEqual({ do: 'add-shard', mode: 'faithful' });
    expect(addShard.spec.safeParse({ do: 'add-shard' }).success).toBe(false);
    expect(addShard.spec.safeParse({ do: 'add-shard', mode: 'fast' }).success).toBe(false);
  });

  it('says what moves in each mode', () => {
    expect(addShard.describe({ do: 'add-shard', mode: 'faithful' })).toBe('Add a shard, faithfully (the ring changes, no row moves) — POST /lab/v1/shards');
    expect(addShard.describe({ do: 'add-shard', mode: 'rebalance' })).toBe('Add a shard, rebalancing (rows move to it) — POST /lab/v1/shards');
  });
});
