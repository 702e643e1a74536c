import { describe, expect, it } from 'vitest';
import type { JobView } from '../../jobs/registry.js';
import type { ShardPartitions } from '../../partitioning/users-inspector.js';
import { faithfulLoss, faithfulLost, judgeFaithfulLoss } from './faithful-loss.js';

const spec = faithfulLoss.spec.parse({ kind: 'faithful-loss', scenario: 'write-heavy' });
const at = (s: string) => `2026-11-29T10:00:${s}Z`;
const run = (started: string, finished: string, state = 'finished') => ({
  id: 'r1',
  state,
  params: { scenario: 'write-heavy' },
  started_at: at(started),
  finished_at: at(finished),
});
const build = (started: string, finished: string, mode = 'faithful'): JobView => ({
  id: 'j1',
  kind: 'repartition',
  state: 'succeeded',
  params: { partitions: 16, mode },
  progress: { done: 1, total: 1 },
  created_at: at(started),
  started_at: at(started),
  finished_at: at(finished),
});
const shard = (name: string, lost: number, last = 'faithful'): ShardPartitions => ({
  shard_name: name,
  reachable: true,
  partitioned: true,
  modulus: 16,
  users_rows: 100,
  rows: 100,
  last_build: last,
  out_of_step: lost,
  partitions: [],
  skew_pct: null,
  chi_square: null,
  degrees_of_freedom: null,
  ring_hash_chi_square: null,
});
const report = (...shards: ShardPartitions[]) => ({ table: 'users', shards });

describe('faithful-loss check', () => {
  it('passes the count of ids the faithful swap lost under the load test, per shard named', () => {
    const r = judgeFaithfulLoss(spec, 5, report(shard('shard-0', 2), shard('shard-1', 3)), [run('00', '30')], [build('05', '09')]);
    expect(r).toEqual({
      passed: true,
      message:
        "Right: the original's swap lost 5 ids (shard-0 2, shard-1 3) — writes made during its copy, dropped with the old table, and deletes it undid. The online build loses none.",
    });
    expect(faithfulLost(report(shard('shard-0', 2), shard('shard-1', 3)))).toBe(5);
  });

  it('wants the swap inside a finished or stopped run, still the last build, losing something, and the right number', () => {
    const lost = report(shard('shard-0', 2), shard('shard-1', 3));
    expect(judgeFaithfulLoss(spec, 5, lost, [run('10', '30')], [build('05', '09')]).message).toMatch(/^Start the write-heavy load test/);
    expect(judgeFaithfulLoss(spec, 5, lost, [run('00', '30', 'running')], [build('05', '09')]).passed).toBe(false);
    expect(judgeFaithfulLoss(spec, 5, lost, [run('00', '30')], [build('05', '09', 'online')]).passed).toBe(false);
    expect(judgeFaithfulLoss(spec, 5, lost, [run('00', '30', 'cancelled')], [build('05', '09')]).passed).toBe(true);
    expect(judgeFaithfulLoss(spec, 5, report(shard('shard-0', 2), shard('shard-1', 0, 'online')), [run('00', '30')], [build('05', '09')]).message).toMatch(
      /Another build has replaced/,
    );
    expect(judgeFaithfulLoss(spec, 0, report(shard('shard-0', 0), shard('shard-1', 0)), [run('00', '30')], [build('05', '09')]).message).toMatch(
      /lost nothing/,
    );
    expect(judgeFaithfulLoss(spec, undefined, lost, [run('00', '30')], [build('05', '09')]).message).toMatch(/Enter the number/);
    expect(judgeFaithfulLoss(spec, 4, lost, [run('00', '30')], [build('05', '09')]).message).toMatch(/^4 is not it/);
  });
});
