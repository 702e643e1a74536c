import { describe, expect, it } from 'vitest';
import { spread, type ShardPartitions } from '../../partitioning/users-inspector.js';
import { judgePartitionedUsers, partitionedUsers } from './partitioned-users.js';

const shard = (name: string, counts: number[], lost = 0): ShardPartitions => ({
  shard_name: name,
  reachable: true,
  partitioned: counts.length > 0,
  modulus: counts.length || null,
  users_rows: counts.reduce((a, b) => a + b, 0) || 40,
  rows: counts.reduce((a, b) => a + b, 0),
  last_build: lost ? 'faithful' : 'online',
  out_of_step: lost,
  partitions: counts.map((rows, r) => ({ name: `users_p${r}`, remainder: r, bound: '', rows, share: 0, table_bytes: 8192, index_bytes: 16384 })),
  ...spread(counts),
  ring_hash_chi_square: null,
});
const spec = partitionedUsers.spec.parse({ kind: 'partitioned-users', partitions: 8, min_users: 100 });
const report = (...shards: ShardPartitions[]) => ({ table: 'users', shards });
const even = [10, 10, 10, 10, 10, 10, 10, 10];

describe('partitioned-users check', () => {
  it('refuses a partition count outside 2..64 and unknown fields', () => {
    for (const bad of [{ partitions: 1 }, { partitions: 65 }, { partitions: 8, min: 3 }]) {
      expect(partitionedUsers.spec.safeParse({ kind: 'partitioned-users', ...bad }).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('passes when every shard has that many partitions holding the rows of its users', () => {
    const r = judgePartitionedUsers(spec, report(shard('shard-0', even), shard('shard-1', even)));
    expect(r).toEqual({ passed: true, message: 'Every one of 2 shards splits its users into 8 hash partitions: 160 rows, and the last swap lost no id.' });
  });

  it('names what is missing: users, a shard still plain, another count, ids the last swap lost, a shard down', () => {
    expect(judgePartitionedUsers(spec, report(shard('shard-0', []))).message).toMatch(/40 users; .* at least 100/);
    expect(judgePartitionedUsers(spec, report(shard('shard-0', even), shard('shard-1', []))).message).toMatch(/^users on shard-1 is a plain table/);
    expect(judgePartitionedUsers(spec, report(shard('shard-0', [60, 60]))).message).toMatch(/shard-0 splits users into 2 partitions, not 8/);
    expect(judgePartitionedUsers(spec, report(shard('shard-0', even, 3), shard('shard-1', even))).message).toMatch(
      /^shard-0: the last build \(faithful\) lost 3 ids at its swap/,
    );
    expect(judgePartitionedUsers(spec, report({ ...shard('shard-0', even), reachable: false }, shard('shard-1', even))).message).toMatch(
      /shard-0 did not answer/,
    );
  });
});

describe('spread', () => {
  it('measures the fullest partition above the mean and χ² against an even spread', () => {
    expect(spread([10, 10, 10, 10])).toEqual({ skew_pct: 0, chi_square: 0, degrees_of_freedom: 3 });
    const s = spread([12, 8, 10, 10]);
    expect(s.skew_pct).toBeCloseTo(20);
    expect(s.chi_square).toBeCloseTo(0.8);
    expect(spread([0, 0])).toEqual({ skew_pct: null, chi_square: null, degrees_of_freedom: null });
  });
});
