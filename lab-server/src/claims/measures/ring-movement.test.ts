import { describe, expect, it } from 'vitest';
import { judgeRingMovement, ringMovement } from './ring-movement.js';

const change = (ring: number) => ({ to_shards: 5, moved_fraction: ring, ring_moved_fraction: ring, modulo_moved_fraction: 0.8, ideal_fraction: 0.2 });

describe('ring-movement', () => {
  it('compares the fraction the ring moves with the claimed one, within the tolerance in points', () => {
    const spec = ringMovement.spec.parse({ kind: 'ring-movement', from: 4, to: 5, claimed_percent: 20 });
    expect(spec.tolerance_points).toBe(2);
    expect(judgeRingMovement(spec, change(0.1612))).toEqual({
      measured: '4 → 5 shards: the ring moves 16.12 % of the keys (modulo would move 80.00 %; the least possible is 20.00 %).',
      verdict: 'fails',
      why: 'Claimed about 20 %; measured 16.12 %, 3.88 points away (allowed 2).',
    });
    expect(judgeRingMovement(spec, change(0.19)).verdict).toBe('holds');
    expect(ringMovement.spec.safeParse({ kind: 'ring-movement', from: 4, to: 5 }).success).toBe(false);
  });
});
