import { describe, expect, it } from 'vitest';
import type { ShardHealthReport } from '../../messenger/users/shard-health.js';
import { judgeReplicaCounts, replicaCounts } from './replica-counts.js';

const spec = replicaCounts.spec.parse({ kind: 'replica-counts', shard: 'shard-0' });
const replica = { name: 'shard-0-replica', state: 'streaming', lag_bytes: 0, lag_seconds: null, users: 4_012, caught_up: true, matches_primary: true };
const health = (replicas: ShardHealthReport['shards'][number]['replicas'], users = 4_012): ShardHealthReport => ({
  healthy: true,
  shards: [{ shard_name: 'shard-0', healthy: true, latency_ms: 1.2, users, error: null, replicas }],
});

describe('replica-counts check', () => {
  it('passes a streaming replica with every row of its primary', () => {
    expect(judgeReplicaCounts(spec, health([replica]))).toEqual({
      passed: true,
      message: "shard-0 and shard-0-replica both hold 4,012 users, counted after the replica replayed up to the primary's position; it streams 0 bytes behind.",
    });
  });

  it('asks for a replica, then for users, then for the replica to catch up', () => {
    expect(judgeReplicaCounts(spec, health([])).message).toContain('has no replica');
    expect(judgeReplicaCounts(spec, health([replica], 0)).message).toContain('load some');
    expect(judgeReplicaCounts(spec, health([{ ...replica, state: 'catchup' }])).message).toContain('is catchup, not streaming');
    const behind = judgeReplicaCounts(spec, health([{ ...replica, users: 4_000, caught_up: false, matches_primary: false }]));
    expect(behind).toMatchObject({ passed: false, message: expect.stringContaining('shard-0-replica 4,000 (it had not replayed') });
  });
});
