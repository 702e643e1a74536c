import { describe, expect, it } from 'vitest';
import { judgeReplica, replica } from './replica.js';

const up = { shard: 'shard-0', replica: 'shard-0-replica', status: 'up' as const, error: null, log: [], lag_bytes: 1200, apply_delay_ms: 5000 };

describe('replica check', () => {
  it('parses its spec strictly', () => {
    expect(replica.spec.parse({ kind: 'replica', shard: 'shard-0' })).toEqual({ kind: 'replica', shard: 'shard-0' });
    expect(replica.spec.safeParse({ kind: 'replica', shard: 'shard-0', delay: 5 }).success).toBe(false);
  });

  it('fails without a replica, or with one that is down, and says what to do', () => {
    expect(judgeReplica({ kind: 'replica', shard: 'shard-0' }, [])).toEqual({
      passed: false,
      message: 'shard-0 has no replica. Press “Add replica” on its row, or run `shards replica shard-0`.',
    });
    expect(judgeReplica({ kind: 'replica', shard: 'shard-0' }, [{ ...up, status: 'down' }]).message).toBe(
      'shard-0-replica is down. Remove it and add a new one.',
    );
    const down = {
      ...up,
      status: 'down' as const,
      error: 'connect ECONNREFUSED 127.0.0.1:5499',
      log: ['FATAL:  could not start WAL streaming', 'LOG:  shutting down'],
    };
    expect(judgeReplica({ kind: 'replica', shard: 'shard-0' }, [down]).message).toBe(
      'shard-0-replica is down (connect ECONNREFUSED 127.0.0.1:5499). Remove it and add a new one. Its log ends: FATAL:  could not start WAL streaming | LOG:  shutting down',
    );
  });

  it('passes on a streaming replica, and on one delayed at least as asked', () => {
    expect(judgeReplica({ kind: 'replica', shard: 'shard-0' }, [up])).toEqual({
      passed: true,
      message: 'shard-0-replica is up and streaming from shard-0. It is 1,200 bytes of WAL behind.',
    });
    expect(judgeReplica({ kind: 'replica', shard: 'shard-0', delay_at_least_ms: 2000 }, [up]).passed).toBe(true);
    expect(judgeReplica({ kind: 'replica', shard: 'shard-0', delay_at_least_ms: 2000 }, [{ ...up, apply_delay_ms: 0 }]).message).toMatch(
      /applies commits 0 ms late; this step needs at least 2,000 ms\..*shards replica-delay shard-0 2000/,
    );
  });
});
