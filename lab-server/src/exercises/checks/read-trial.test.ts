import { describe, expect, it } from 'vitest';
import type { ReadTrial } from '../../reads/trial.js';
import { judgeReadPolicy } from './read-policy.js';
import { judgeReadTrial } from './read-trial.js';
import { judgeStaleShare, measuredStaleShare } from './stale-share.js';

const result = (policy: 'replica' | 'read-your-writes', not_found: number, errors = 0) => ({
  policy,
  pairs: 200,
  not_found,
  errors,
  primary_reads: 200 - not_found,
  replica_reads: not_found,
  stale_reads: not_found,
  ms: 900,
});
const trial: ReadTrial = {
  finished_at: '2026-01-01T00:00:00.000Z',
  pairs: 200,
  concurrency: 8,
  replicas: [{ shard: 'shard-0', replica: 'shard-0-replica', lag_bytes: 0, apply_delay_ms: 5000 }],
  results: [result('replica', 41), result('read-your-writes', 0)],
};

describe('read checks', () => {
  it('read-trial: needs a trial of the policy, counts its misses, and fails on other errors', () => {
    expect(judgeReadTrial({ kind: 'read-trial', policy: 'replica', stale_at_least: 1 }, null).message).toMatch(/^No write-then-read trial yet\./);
    expect(judgeReadTrial({ kind: 'read-trial', policy: 'replica', stale_at_least: 1 }, trial)).toEqual({
      passed: true,
      message: 'Under replica, 41 of 200 reads missed a user created a moment before (41 reads served by replicas).',
    });
    expect(judgeReadTrial({ kind: 'read-trial', policy: 'read-your-writes', stale_at_most: 0 }, trial).passed).toBe(true);
    expect(judgeReadTrial({ kind: 'read-trial', policy: 'replica', stale_at_most: 0 }, trial).passed).toBe(false);
    const lagless = { ...trial, results: [result('replica', 0)] };
    expect(judgeReadTrial({ kind: 'read-trial', policy: 'replica', stale_at_least: 1 }, lagless).message).toMatch(/make the replica lag/);
    const failing = { ...trial, results: [result('replica', 3, 2)] };
    expect(judgeReadTrial({ kind: 'read-trial', policy: 'replica' }, failing).message).toMatch(/2 requests failed otherwise/);
    expect(judgeReadTrial({ kind: 'read-trial', policy: 'replica' }, { ...trial, results: [result('read-your-writes', 0)] }).message).toMatch(
      /did not run the replica policy/,
    );
  });

  it('read-policy: names the policy in force and how to change it', () => {
    expect(judgeReadPolicy({ kind: 'read-policy', equals: 'read-your-writes' }, 'read-your-writes').passed).toBe(true);
    expect(judgeReadPolicy({ kind: 'read-policy', equals: 'read-your-writes' }, 'primary').message).toMatch(/`reads policy read-your-writes`/);
  });

  it('stale-share: a prediction within the tolerance of the measured share passes', () => {
    expect(measuredStaleShare(trial)).toBe(20.5);
    expect(measuredStaleShare(null)).toBeNull();
    const spec = { kind: 'stale-share' as const, tolerance_points: 8 };
    expect(judgeStaleShare(spec, trial, undefined).message).toMatch(/^Enter your prediction first/);
    expect(judgeStaleShare(spec, null, 20).message).toMatch(/^Now measure it/);
    expect(judgeStaleShare(spec, trial, 20)).toEqual({
      passed: true,
      message: 'Measured: 20.5 % of the reads missed a user created a moment before; you predicted 20.0 %.',
    });
    expect(judgeStaleShare(spec, trial, 30.5).passed).toBe(false);
    expect(judgeStaleShare(spec, { ...trial, results: [result('replica', 0)] }, 0).message).toMatch(/no stale read at all/);
  });
});
