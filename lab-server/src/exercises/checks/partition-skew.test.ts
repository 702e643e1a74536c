import { describe, expect, it } from 'vitest';
import { spread, type ShardPartitions } from '../../partitioning/users-inspector.js';
import { judgePartitionSkew, partitionSkew } from './partition-skew.js';

const shard = (counts: number[]): ShardPartitions => ({
  shard_name: 'shard-2',
  reachable: true,
  partitioned: counts.length > 0,
  modulus: counts.length || null,
  users_rows: counts.reduce((a, b) => a + b, 0),
  rows: counts.reduce((a, b) => a + b, 0),
  last_build: 'online',
  out_of_step: 0,
  partitions: counts.map((rows, r) => ({ name: `users_p${r}`, remainder: r, bound: '', rows, share: 0, table_bytes: 0, index_bytes: 0 })),
  ...spread(counts),
  ring_hash_chi_square: null,
});
const spec = partitionSkew.spec.parse({ kind: 'partition-skew', shard: 'shard-2', min_users: 100 });

describe('partition-skew check', () => {
  it('passes within the tolerance of the measured skew, naming the fullest partition', () => {
    const s = shard([120, 80, 100, 100]);
    const r = judgePartitionSkew(spec, 20.5, s, 400);
    expect(r.passed).toBe(true);
    expect(r.message).toMatch(/users_p0 holds 120 rows against a mean of 100, 20.00 % above it/);
  });

  it('fails a number off by more than the tolerance, and says what is not ready', () => {
    expect(judgePartitionSkew(spec, 30, shard([120, 80, 100, 100]), 400).passed).toBe(false);
    expect(judgePartitionSkew(spec, undefined, shard([120, 80, 100, 100]), 400).message).toMatch(/Enter a percentage/);
    expect(judgePartitionSkew(spec, 20, shard([]), 400).message).toMatch(/no partitioned users/);
    expect(judgePartitionSkew(spec, 20, shard([60, 40]), 50).message).toMatch(/at least 100/);
    expect(judgePartitionSkew(spec, 20, undefined, 400).message).toMatch(/no shard-2/);
  });
});
