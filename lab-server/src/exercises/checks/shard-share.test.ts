import { describe, expect, it } from 'vitest';
import { judgeShardShare, shardShare } from './shard-share.js';

const spec = shardShare.spec.parse({ kind: 'shard-share', shard: 'shard-0', min_users: 10000 });
const stats = (held: number, total: number) => ({
  total_users: total,
  shard_count: 5,
  shards: [
    { shard_id: 0, shard_name: 'shard-0', user_count: held, healthy: true },
    { shard_id: 1, shard_name: 'shard-1', user_count: total - held, healthy: true },
  ],
});
const ring = { shard: 'shard-0', percent: 21.3 };

describe('shard-share check', () => {
  it('asks for the prediction first, then for the users to measure it on', () => {
    expect(judgeShardShare(spec, undefined, stats(0, 0), ring)).toMatchObject({ passed: false, message: expect.stringContaining('Predict first') });
    expect(judgeShardShare(spec, 21, stats(100, 500), ring)).toMatchObject({
      passed: false,
      message: expect.stringContaining('load at least 10,000 users (500 so far)'),
    });
  });

  it('passes a prediction within the tolerance of the measured share, and says the arc and the even split', () => {
    const r = judgeShardShare(spec, 21.3, stats(2_150, 10_000), ring);
    expect(r).toEqual({
      passed: true,
      message: 'You predicted 21.30 %. shard-0 holds 2,150 of 10,000 users: 21.50 %. Its arcs of the ring cover 21.30 %; an even split would be 20.00 %.',
    });
  });

  it('fails one further off, pointing at the ring', () => {
    const r = judgeShardShare(spec, 20, stats(2_400, 10_000), ring);
    expect(r.passed).toBe(false);
    expect(r.message).toContain('a prediction from the ring lands within 1.5 points');
  });

  it('refuses a shard the ring does not route to', () => {
    expect(judgeShardShare(spec, 20, stats(2_000, 10_000), null).message).toBe('shard-0 is not in the ring; pick a shard the ring routes to.');
  });

  it('asks a number in percent', () => {
    expect(shardShare.question?.input(spec)).toEqual({ type: 'number', label: "shard-0's share of the users (your prediction)", unit: '%' });
  });
});
