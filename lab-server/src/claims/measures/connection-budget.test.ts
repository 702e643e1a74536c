import { describe, expect, it } from 'vitest';
import type { BudgetResult } from '../../contracts/connection-budget.js';
import { connectionBudget, judgeBudget } from './connection-budget.js';

const result = (peaks: number[], perProcess = 3): BudgetResult => ({
  plan: { workers: 2, pool_max: 3, processes: 2, formula: 6, duration_s: 3, load_connections: 50, scenario: 'crud' },
  run: '0193a3c4-0000-7000-8000-000000000000',
  samples: 31,
  shards: peaks.map((peak, i) => ({
    shard: `shard-${i}`,
    peak,
    processes: 2,
    per_process_peak: perProcess,
    formula: 6,
    others_peak: 4,
    max_connections: 200,
    original_share: 4,
  })),
  original: { workers: 8, pool_max: 100, connections: 800, max_connections: 100, max_connections_doc: 500 },
  rule: '',
});

describe('connection-budget', () => {
  it('holds when every shard counted exactly processes × pool_max, and extrapolates to the original 8 × 100', () => {
    expect(judgeBudget(result([6, 6]))).toEqual({
      measured: '2 processes × pool_max 3: peak API connections per shard in pg_stat_activity shard-0 6, shard-1 6 (formula 6; the most one process held: 3).',
      verdict: 'holds',
      why: "Each process held its own pool of 3 to every shard, so the shards counted 2 × 3 = 6 each. The original's 8 workers × 100 = 800 per database is 8× the 100 its primaries accepted and 1.6× the 500 its guide set; against this lab's max_connections of 200 it would be 4×.",
    });
  });

  it('fails above the formula, is unsettled below it (the pools did not fill)', () => {
    expect(judgeBudget(result([6, 7])).verdict).toBe('fails');
    expect(judgeBudget(result([6, 6], 4))).toMatchObject({ verdict: 'fails', why: expect.stringMatching(/^shard-0, shard-1 saw more than the formula/) });
    expect(judgeBudget(result([6, 5]))).toMatchObject({ verdict: 'unsettled', why: expect.stringMatching(/did not fill every pool on shard-1/) });
  });

  it('says what it runs, with the default duration', () => {
    const spec = connectionBudget.spec.parse({ kind: 'connection-budget', workers: 2, pool_max: 3 });
    expect(spec.duration_s).toBe(3);
    expect(connectionBudget.runs!(spec)).toMatch(/^Starts 2 prefork workers with pool_max 3, runs the crud load test for 3 s/);
    expect(connectionBudget.spec.safeParse({ kind: 'connection-budget', workers: 2, pool_max: 3, extra: 1 }).success).toBe(false);
  });
});
