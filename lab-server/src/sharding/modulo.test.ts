import { describe, expect, it } from 'vitest';
import { HASH_SPACE } from './hash.js';
import { Modulo } from './modulo.js';

describe('Modulo', () => {
  it('routes hash % N with no vnode', () => {
    const m = new Modulo(5);
    expect(m.locate(0)).toEqual({ shardIndex: 0, vnode: null, point: null });
    expect(m.locate(0x3b32b2dc)).toEqual({ shardIndex: 0x3b32b2dc % 5, vnode: null, point: null });
    expect(m.locate(HASH_SPACE - 1).shardIndex).toBe(0); // 2^32 - 1 = 5 · 858993459
  });

  it('has exact shares: 2^32 = 858993459·5 + 1, so shard 0 owns one extra hash', () => {
    const shares = new Modulo(5).shares();
    expect(shares.map((s) => s * HASH_SPACE)).toEqual([858993460, 858993459, 858993459, 858993459, 858993459]);
    for (const s of shares) expect(Math.abs(s - 0.2)).toBeLessThan(1e-9);
  });

  it('splits evenly when N divides 2^32', () => {
    expect(new Modulo(4).shares()).toEqual([0.25, 0.25, 0.25, 0.25]);
  });

  it('reports its parameters and validates the shard count', () => {
    const m = new Modulo(3);
    expect([m.name, m.shardCount, m.vnodes]).toEqual(['modulo', 3, null]);
    expect(() => new Modulo(0)).toThrow(RangeError);
    expect(() => new Modulo(2.5)).toThrow(RangeError);
  });
});
