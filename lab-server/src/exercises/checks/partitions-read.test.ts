import { describe, expect, it } from 'vitest';
import type { PlanTouch, PruningReport } from '../../partitioning/pruning.js';
import { judgePartitionsRead, partitionsRead } from './partitions-read.js';

const touch = (planned: number[], scanned: number[]): PlanTouch => ({
  query: 'SELECT …',
  planned: planned.map((r) => `users_p${r}`),
  scanned: scanned.map((r) => `users_p${r}`),
  partitions_total: 8,
  planning_ms: 0.1,
  execution_ms: 0.05,
  plan: '',
});
const all = [0, 1, 2, 3, 4, 5, 6, 7];
const report: PruningReport = {
  shard_name: 'shard-0',
  id: '00000000-0000-4000-8000-000000000001',
  first_name: 'Grace',
  by_id: touch([3], [3]),
  by_id_runtime: touch(all, [3]),
  by_name: touch(all, all),
};
const spec = (by: string) => partitionsRead.spec.parse({ kind: 'partitions-read', shard: 'shard-0', by });

describe('partitions-read check', () => {
  it('accepts only the lookups it knows', () => {
    expect(partitionsRead.spec.safeParse({ kind: 'partitions-read', shard: 'shard-0', by: 'email' }).success).toBe(false);
  });

  it('passes the number of partitions the executor read, and says when the others were pruned', () => {
    expect(judgePartitionsRead(spec('id'), 1, report).message).toMatch(/read 1 of 8 partitions \(users_p3\); 7 pruned while planning/);
    expect(judgePartitionsRead(spec('id-at-run-time'), 1, report).message).toMatch(/7 pruned while running/);
    expect(judgePartitionsRead(spec('name'), 8, report)).toMatchObject({ passed: true });
  });

  it('fails another number and a missing one, pointing at the pruning panel', () => {
    expect(judgePartitionsRead(spec('name'), 1, report)).toMatchObject({ passed: false });
    expect(judgePartitionsRead(spec('id-at-run-time'), 8, report).message).toMatch(/pruning panel/);
    expect(judgePartitionsRead(spec('id'), undefined, report).message).toMatch(/Enter a number/);
  });
});
