import { describe, expect, it } from 'vitest';
import type { ParallelPlan } from '../../partitioning/pruning.js';
import { judgeParallelWorkers, parallelWorkers } from './parallel-workers.js';

const plan = (workers: number, largest = 106_496): ParallelPlan => ({
  shard_name: 'shard-0',
  query: 'SELECT count(*) FROM users WHERE first_name LIKE …',
  workers_planned: workers,
  partitions_total: 8,
  largest_partition_bytes: largest,
  min_parallel_table_scan_size_bytes: 8 * 1024 * 1024,
  plan: '',
});

describe('parallel-workers check', () => {
  it('passes the number of workers the planner asked for, saying why from the sizes', () => {
    expect(judgeParallelWorkers(0, plan(0))).toEqual({
      passed: true,
      message:
        "Right: a plain Append of 8 scans, no workers — its largest partition is 104 kB, and a table under min_parallel_table_scan_size (8,192 kB) gets no worker. The original's 430,000-row partitions are far above it, so its plan asks for workers.",
    });
    expect(judgeParallelWorkers(2, plan(2, 20_000_000)).message).toMatch(/^Right: 2 workers share the 8 partitions' scans/);
  });

  it('fails another number or none, and refuses unknown fields', () => {
    expect(judgeParallelWorkers(4, plan(0)).message).toMatch(/^Not 4\./);
    expect(judgeParallelWorkers(undefined, plan(0)).passed).toBe(false);
    expect(parallelWorkers.spec.safeParse({ kind: 'parallel-workers', shard: 'shard-0', sql: 'x' }).success).toBe(false);
  });
});
