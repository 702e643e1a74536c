import { describe, expect, it } from 'vitest';
import { judgeRingShares, ringShares } from './ring-shares.js';

describe('ring-shares', () => {
  const spec = ringShares.spec.parse({ kind: 'ring-shares', shards: 4 });

  it('reads ±5 % of the even share, and says how far off the worst shard is in both readings', () => {
    // The original's 4-shard ring at 150 virtual nodes: 2.26 points off, but 9.0 % of an even share.
    expect(judgeRingShares(spec, [0.2274, 0.2485, 0.2618, 0.2624])).toEqual({
      measured: 'The ring over 4 shards gives them 22.74 % / 24.85 % / 26.18 % / 26.24 % of the hash space; an even share is 25.00 %.',
      verdict: 'fails',
      why: '±5 % of an even share is 23.75 % to 26.25 %; the worst shard is 9.0 % off it (2.26 points).',
    });
    expect(judgeRingShares(spec, [0.24, 0.25, 0.25, 0.26]).verdict).toBe('holds');
    expect(ringShares.spec.safeParse({ kind: 'ring-shares', shards: 0 }).success).toBe(false);
  });
});
