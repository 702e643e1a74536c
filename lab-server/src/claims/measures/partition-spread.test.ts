import { describe, expect, it } from 'vitest';
import { judgePartitionSpread, partitionSpread } from './partition-spread.js';

const shard = (rows: number[], modulus = rows.length) => ({ shard_name: 'shard-0', partitioned: true, modulus, partitions: rows.map((r) => ({ rows: r })) });

describe('partition-spread', () => {
  const spec = partitionSpread.spec.parse({ kind: 'partition-spread', claimed_partitions: 4, claimed_min_pct: 24, claimed_max_pct: 26 });

  it('holds inside the claimed band', () => {
    expect(judgePartitionSpread(spec, [shard([2500, 2450, 2550, 2500])])).toEqual({
      measured: 'Every partition holds 24.50 % to 25.50 % of its shard (1 shards × 4 partitions, 10,000 rows on the smallest shard); an even share is 25.00 %.',
      verdict: 'holds',
      why: 'Inside the claimed band is 24.00 % to 26.00 %.',
    });
  });

  it('tells too few rows from an uneven hash', () => {
    // 400 rows: sd of a share is 2.17 points, so 22 % is chance; the band needs 9·p(1−p)/0.01² = 16,875 rows.
    const few = judgePartitionSpread(spec, [shard([88, 112, 100, 100])]);
    expect(few.verdict).toBe('unsettled');
    expect(few.why).toMatch(/about 16,875 rows per shard/);
    expect(judgePartitionSpread(spec, [shard([5000, 2000, 1500, 1500])]).verdict).toBe('fails');
  });

  it('cannot decide without partitions, or with another count', () => {
    expect(judgePartitionSpread(spec, [{ ...shard([]), partitioned: false }]).verdict).toBe('unsettled');
    expect(judgePartitionSpread(spec, [shard([1, 1, 1, 1, 1, 1, 1, 1])]).why).toMatch(/build 4/);
  });
});
