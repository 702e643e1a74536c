import { describe, expect, it } from 'vitest';
import { distribution, judgeDistribution } from './distribution.js';

const spec = distribution.spec.parse({ kind: 'distribution' });

describe('distribution', () => {
  it('reads ±5 % relative to the even share, by default', () => {
    expect(spec.tolerance).toBe(0.05);
    // Five shards: an even share is 20 %, so 19–21 % holds; 21.2 % is 6 % off it.
    expect(judgeDistribution(spec, [200, 200, 201, 199, 200])).toMatchObject({ verdict: 'holds' });
    const off = judgeDistribution(spec, [212, 196, 196, 198, 198]);
    expect(off).toMatchObject({ verdict: 'fails', why: '±5 % of an even share is 19.00 % to 21.00 %; the worst shard is 6.0 % off it.' });
    expect(off.measured).toBe('Smallest 19.60 %, largest 21.20 % of 1,000 users on 5 shards; an even share is 20.00 %.');
  });

  it('cannot decide without users, and refuses a tolerance that is no fraction', () => {
    expect(judgeDistribution(spec, [0, 0, 0])).toMatchObject({ verdict: 'unsettled' });
    expect(distribution.spec.safeParse({ kind: 'distribution', tolerance: 5 }).success).toBe(false);
    expect(distribution.spec.safeParse({ kind: 'distribution', extra: 1 }).success).toBe(false);
  });
});
