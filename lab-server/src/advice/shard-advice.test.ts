import { describe, expect, it } from 'vitest';
import { ShardAdviceInput } from '../contracts/shard-advice.js';
import { decide } from './shard-advice.js';

const measured = { shard: 'shard-0', writes_per_s: 2000, reads_per_s: 10_000, bytes_per_user: 500, users_here: 1000 };
const input = (x: Partial<ShardAdviceInput>) => ShardAdviceInput.parse({ users: 1000, writes_per_s: 10, reads_per_s: 10, ...x });

describe('should you shard', () => {
  it('a small load stays on one server', () => {
    const a = decide(input({}), measured);
    expect([a.verdict, a.shards, a.replicas_per_shard]).toEqual(['one server', 1, 0]);
    expect(a.steps[0]!.answer).toMatch(/^No: one server/);
  });

  it('reads beyond one server call for replicas, not shards', () => {
    // 12,000 reads/s at 5,000 a copy (half of 10,000): 3 copies, so 2 replicas.
    const a = decide(input({ reads_per_s: 12_000 }), measured);
    expect([a.verdict, a.shards, a.replicas_per_shard]).toEqual(['replicas', 1, 2]);
  });

  it('writes beyond one primary call for shards, and growth counts', () => {
    // 1,000 writes/s a primary; 2,500 → 3 shards. Doubling (100 % for one month) → 5,000 → 5 shards.
    expect(decide(input({ writes_per_s: 2500 }), measured).shards).toBe(3);
    const grown = decide(input({ writes_per_s: 2500, growth_percent_per_month: 100, months: 1 }), measured);
    expect([grown.verdict, grown.shards, grown.projected.writes_per_s]).toEqual(['shard', 5, 5000]);
  });

  it('data is measured per user unless given, and too much of it shards too', () => {
    // 10 billion users × 500 bytes = 5,000 GB: 5 servers at 1,000 GB each.
    const a = decide(input({ users: 1e10 }), measured);
    expect([a.projected.data_gb, a.shards]).toEqual([5000, 5]);
    expect(decide(input({ data_gb: 10 }), { ...measured, bytes_per_user: null }).projected.data_gb).toBe(10);
    expect(decide(input({}), { ...measured, bytes_per_user: null }).steps[3]!.numbers).toMatch(/^unknown/);
    expect(a.original_row).toMatch(/^over 100 million/);
  });
});
