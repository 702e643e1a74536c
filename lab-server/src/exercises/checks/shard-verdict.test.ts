import { describe, expect, it } from 'vitest';
import { decide } from '../../advice/shard-advice.js';
import { ShardAdviceInput } from '../../contracts/shard-advice.js';
import { judgeShardVerdict } from './shard-verdict.js';

const advice = decide(ShardAdviceInput.parse({ users: 1_000_000, writes_per_s: 2000, reads_per_s: 8000 }), {
  shard: 'shard-0',
  writes_per_s: 1500,
  reads_per_s: 12_000,
  bytes_per_user: 400,
  users_here: 500,
});

describe('shard-verdict check', () => {
  it('judges the number of shards against the advice the learner saw', () => {
    // 2,000 writes/s at 750 a primary (half of 1,500): 3 shards.
    expect(advice.shards).toBe(3);
    expect(judgeShardVerdict(3, advice)).toMatchObject({ passed: true, message: expect.stringMatching(/1,500 committed inserts\/s/) });
    expect(judgeShardVerdict(1, advice).passed).toBe(false);
    expect(judgeShardVerdict(undefined, advice).message).toMatch(/Enter a number/);
  });
});
