import { describe, expect, it } from 'vitest';
import { fewestUsers, judgeSmallestShard, smallestShard } from './smallest-shard.js';

const spec = { kind: 'smallest-shard' as const, min_users: 1000 };
const counts = [400, 250, 350, null];
const stats = {
  total_users: 1000,
  shards: counts.map((n, i) => ({ shard_id: i, shard_name: `shard-${i}`, user_count: n, healthy: n !== null })),
};
const seen = { stats, shards: stats.shards.map((s) => s.shard_name), shares: new Map([['shard-1', 0.1612]]) };

describe('smallest-shard check', () => {
  it('needs min_users and nothing else', () => {
    expect(smallestShard.spec.parse({ kind: 'smallest-shard', min_users: 20000 })).toEqual({ kind: 'smallest-shard', min_users: 20000 });
    expect(smallestShard.spec.safeParse({ kind: 'smallest-shard' }).success).toBe(false);
    expect(smallestShard.spec.safeParse({ kind: 'smallest-shard', min_users: 1, shard: 'shard-1' }).success).toBe(false);
  });

  it('asks for a shard', () => {
    expect(smallestShard.question?.input(spec)).toEqual({ type: 'shard', label: 'Which shard holds the fewest users?' });
  });

  it('knows the answer: the answering shard with the fewest users', () => {
    expect(fewestUsers(stats)).toBe('shard-1');
  });

  it('passes the fewest, however the learner spells it, with its share of users and of the ring', () => {
    for (const answer of ['shard-1', 1, ' Shard-1']) {
      expect(judgeSmallestShard(spec, answer, seen)).toEqual({
        passed: true,
        message: 'Right: shard-1 holds 250 users (25.00 %), the fewest; its arcs cover 16.12 % of the ring.',
      });
    }
  });

  it('fails another shard, saying how many users it holds', () => {
    expect(judgeSmallestShard(spec, 'shard-2', seen)).toEqual({
      passed: false,
      message: 'shard-2 holds 350 users (35.00 %); another shard holds fewer. Compare the bars in “Users per shard”.',
    });
  });

  it('asks for a pick, refuses a shard that does not exist or was not counted, and wants enough users first', () => {
    expect(judgeSmallestShard(spec, undefined, seen).message).toBe('Pick a shard first.');
    expect(judgeSmallestShard(spec, 'shard-7', seen).message).toBe("There is no shard 'shard-7'.");
    expect(judgeSmallestShard(spec, 'shard-3', seen).passed).toBe(false);
    const r = judgeSmallestShard({ ...spec, min_users: 20000 }, 'shard-1', seen);
    expect(r).toEqual({ passed: false, message: 'Only 1,000 users are loaded; a fair comparison needs at least 20,000. Seed them first.' });
  });
});
