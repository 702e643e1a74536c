import { describe, expect, it } from 'vitest';
import { judgeShardCount, shardCount } from './shard-count.js';

const topology = (ring: number, up: number, servers: number) => ({
  ring: { strategy: 'md5-ring', vnodes: 150, version: 3, shards: Array.from({ length: ring }, (_, i) => `shard-${i}`), shares: [] },
  shards: Array.from({ length: servers }, (_, i) => ({ status: i < up ? 'up' : 'down' })) as never,
});

describe('shard-count', () => {
  it('holds when the ring routes over the claimed number of shards, and says how many answer', () => {
    const spec = shardCount.spec.parse({ kind: 'shard-count', claimed: 5 });
    expect(judgeShardCount(spec, topology(5, 4, 5))).toEqual({
      measured: '5 shards in the ring (version 3), 4 of 5 servers answering.',
      verdict: 'holds',
      why: 'The ring routes over 5 shards, as claimed.',
    });
    expect(judgeShardCount(spec, topology(4, 4, 4)).verdict).toBe('fails');
    expect(shardCount.spec.safeParse({ kind: 'shard-count' }).success).toBe(false);
  });
});
