import { describe, expect, it } from 'vitest';
import type { ReadLoadTrial } from '../../contracts/read-load.js';
import { judgeReadLoad } from './read-load.js';

const run = (policy: 'replica' | 'read-your-writes', stale: number, errors: number) => ({
  policy,
  run_id: `run-${policy}`,
  requests: 500,
  errors,
  requests_per_s: 100,
  primary_reads: 100 - stale,
  replica_reads: 60,
  stale_reads: stale,
});
const trial: ReadLoadTrial = {
  finished_at: '2026-01-01T00:00:00.000Z',
  scenario: 'smoke',
  duration_s: 2,
  connections: 4,
  replicas: [{ shard: 'shard-0', replica: 'shard-0-replica', lag_bytes: 0, apply_delay_ms: 5000 }],
  results: [run('replica', 12, 30), run('read-your-writes', 0, 0)],
};

describe('read-load check', () => {
  it('needs a comparison, counts the stale reads of the policy’s run, and bounds its failed requests', () => {
    expect(judgeReadLoad({ kind: 'read-load', policy: 'replica', stale_at_least: 1 }, null).message).toMatch(/^No comparison under load yet\./);
    expect(judgeReadLoad({ kind: 'read-load', policy: 'replica', stale_at_least: 1 }, trial)).toEqual({
      passed: true,
      message: 'Under replica and the smoke load: 12 stale reads of 60 served by replicas, 30 of 500 requests failed.',
    });
    expect(judgeReadLoad({ kind: 'read-load', policy: 'read-your-writes', stale_at_most: 0, errors_at_most: 0 }, trial).passed).toBe(true);
    expect(judgeReadLoad({ kind: 'read-load', policy: 'replica', stale_at_most: 0 }, trial).passed).toBe(false);
    const lagless = { ...trial, results: [run('replica', 0, 0)] };
    expect(judgeReadLoad({ kind: 'read-load', policy: 'replica', stale_at_least: 1 }, lagless).message).toMatch(/make shard-0's replica lag/);
    const failing = { ...trial, results: [run('read-your-writes', 0, 3)] };
    expect(judgeReadLoad({ kind: 'read-load', policy: 'read-your-writes', errors_at_most: 0 }, failing).message).toMatch(/allows at most 0 failed requests/);
    expect(judgeReadLoad({ kind: 'read-load', policy: 'replica' }, failing).message).toMatch(/did not run the replica policy/);
  });
});
