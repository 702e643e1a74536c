import { describe, expect, it } from 'vitest';
import { judgeShardsUp, shardsUp } from './shards-up.js';

describe('shards-up check', () => {
  it('takes no parameters', () => {
    expect(shardsUp.spec.parse({ kind: 'shards-up' })).toEqual({ kind: 'shards-up' });
    expect(shardsUp.spec.safeParse({ kind: 'shards-up', shard: 'shard-1' }).success).toBe(false);
  });

  it('passes when every shard is up', () => {
    expect(
      judgeShardsUp([
        { name: 'shard-0', status: 'up' },
        { name: 'shard-1', status: 'up' },
      ]),
    ).toEqual({ passed: true, message: 'All 2 shards answer.' });
  });

  it('names each shard that is not up with its status, in the singular or plural', () => {
    expect(
      judgeShardsUp([
        { name: 'shard-0', status: 'up' },
        { name: 'shard-1', status: 'down' },
      ]),
    ).toEqual({
      passed: false,
      message: "shard-1 is down. Start it again (the topology panel's Start button, or `shard start <name>`).",
    });
    const two = judgeShardsUp([
      { name: 'shard-0', status: 'paused' },
      { name: 'shard-1', status: 'starting' },
    ]);
    expect(two.passed).toBe(false);
    expect(two.message).toMatch(/^shard-0 is paused, shard-1 is starting\. Start them again/);
  });
});
