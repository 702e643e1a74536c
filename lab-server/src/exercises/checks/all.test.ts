import { describe, expect, it } from 'vitest';
import { noCluster } from '../testing/no-cluster.js';
import { all } from './all.js';

// moved-fraction is computed, not measured, so a composite of them runs without a cluster.
const moved = (from: number, to: number) => ({ kind: 'moved-fraction', strategy: 'modulo', from, to });

describe('all check', () => {
  it('takes a non-empty list of any checks, each validated as its own kind', () => {
    expect(all.spec.parse({ kind: 'all', of: [{ kind: 'shards-up' }, { kind: 'all', of: [moved(5, 6)] }] })).toEqual({
      kind: 'all',
      of: [{ kind: 'shards-up' }, { kind: 'all', of: [{ ...moved(5, 6), tolerance_points: 1 }] }],
    });
    expect(all.spec.safeParse({ kind: 'all', of: [] }).success).toBe(false);
    expect(all.spec.safeParse({ kind: 'all', of: [{ kind: 'vibes' }] }).success).toBe(false);
    const bad = all.spec.safeParse({ kind: 'all', of: [{ kind: 'shard-count', equals: -1 }] });
    expect(bad.error?.issues[0]?.path).toEqual(['of', 0, 'equals']);
  });

  it('passes when every part passes, with their messages in order', async () => {
    // Under modulo, 5 → 6 shards moves 83.33 % of keys (a key stays when h mod 5 = h mod 6) and 2 → 3 moves 66.67 %.
    const wide = (from: number, to: number) => ({ ...moved(from, to), tolerance_points: 10 });
    const ok = await all.run(all.spec.parse({ kind: 'all', of: [wide(5, 6), wide(2, 3)] }), noCluster, 75);
    expect(ok.passed).toBe(true);
    expect(ok.message).toMatch(/^Right: going from 5 to 6 shards .*\. Right: going from 2 to 3 shards .*\)\.$/);
  });

  it('answers with the first part that fails, running none after it', async () => {
    const first = await all.run(all.spec.parse({ kind: 'all', of: [moved(2, 3), moved(5, 6)] }), noCluster, 0);
    expect(first).toEqual({ passed: false, message: expect.stringMatching(/going to 3 \(the modulo line\)\.$/) });
    const second = await all.run(all.spec.parse({ kind: 'all', of: [moved(5, 6), moved(2, 3)] }), noCluster, 0);
    expect(second.message).toMatch(/going to 6 \(the modulo line\)\.$/);
    // A part that would need the cluster is never reached.
    const stops = await all.run(all.spec.parse({ kind: 'all', of: [moved(5, 6), { kind: 'shards-up' }] }), noCluster, 0);
    expect(stops.passed).toBe(false);
  });
});
