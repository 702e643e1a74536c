import { describe, expect, it } from 'vitest';
import { judgeLargestShare, largestShare, largestSharePercent } from './largest-share.js';

const stats = (...counts: (number | null)[]) => ({
  total_users: counts.reduce<number>((a, n) => a + (n ?? 0), 0),
  shard_count: counts.length,
  shards: counts.map((n, i) => ({ shard_id: i, shard_name: `shard-${i}`, user_count: n, healthy: n !== null })),
});
const spec = largestShare.spec.parse({ kind: 'largest-share', min_users: 100 });

describe('largest-share check', () => {
  it('gives half a point of tolerance unless the chapter says otherwise, and refuses a negative one', () => {
    expect(spec).toEqual({ kind: 'largest-share', min_users: 100, tolerance_points: 0.5 });
    expect(largestShare.spec.parse({ kind: 'largest-share', min_users: 1, tolerance_points: 2 }).tolerance_points).toBe(2);
    expect(largestShare.spec.safeParse({ kind: 'largest-share', min_users: 1, tolerance_points: -1 }).success).toBe(false);
  });

  it('asks for a percentage', () => {
    expect(largestShare.question?.input(spec)).toEqual({ type: 'number', label: 'Largest share of users', unit: '%' });
  });

  it('measures the fullest shard against all users, a down shard counting as none', () => {
    expect(largestSharePercent(stats(20, 50, 30))).toBe(50);
    expect(largestSharePercent(stats(1, 2, null))).toBeCloseTo(66.667, 3);
    expect(largestSharePercent(stats(0, 0))).toBe(0);
  });

  it('passes within the tolerance and compares with an even split', () => {
    const r = judgeLargestShare(spec, 22.3, stats(190, 208, 227, 213, 162));
    expect(r).toEqual({
      passed: true,
      message:
        'Right: the largest shard holds 22.70 % of 1,000 users. The original claimed ±5 % of an even share: 19.00 % to 21.00 % here, so for this shard the claim does not hold.',
    });
    expect(judgeLargestShare(spec, 23.1, stats(190, 208, 227, 213, 162)).passed).toBe(true);
  });

  it('fails outside the tolerance, without a number, and with too few users', () => {
    expect(judgeLargestShare(spec, 23.21, stats(190, 208, 227, 213, 162))).toEqual({
      passed: false,
      message: "23.21 % is more than 0.5 points away from what the shards hold now. Read the largest bar's percentage in “Users per shard”.",
    });
    expect(judgeLargestShare(spec, '22.7', stats(190, 208, 227, 213, 162)).message).toBe('Enter a percentage first.');
    expect(judgeLargestShare(spec, 50, stats(20, 50))).toEqual({
      passed: false,
      message: 'Only 70 users are loaded; measure with at least 100. Seed them first.',
    });
  });
});
