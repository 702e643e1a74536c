import { describe, expect, it } from 'vitest';
import { HASH_SPACE } from './hash.js';
import { Md5Ring } from './md5-ring.js';
import { Modulo } from './modulo.js';
import { movedFraction, movedRanges } from './movement.js';
import { defaultShardNames } from './strategies.js';
import golden from './testdata/md5-ring.golden.json' with { type: 'json' };

const names = defaultShardNames;
const ring = (n: number): Md5Ring => new Md5Ring(names(n), golden.vnodes);
const percent = (fraction: number): number => Number((fraction * 100).toFixed(2));

describe('movedFraction between rings', () => {
  it.each(golden.movedPercent)('$from → $to shards moves $percent %', ({ from, to, percent: expected }) => {
    expect(percent(movedFraction(ring(from), ring(to), names(from), names(to)))).toBe(expected);
  });

  it('is 0 for an unchanged ring', () => {
    expect(movedFraction(ring(5), ring(5), names(5), names(5))).toBe(0);
  });

  it('equals the new shard’s share when one shard is added (it only steals)', () => {
    expect(movedFraction(ring(4), ring(5), names(4), names(5))).toBe(ring(5).shares()[4]);
  });

  it('compares by name, not index', () => {
    const renamed = ['a', 'b', 'c', 'd', 'e'];
    expect(movedFraction(ring(5), ring(5), names(5), renamed)).toBe(1);
  });

  it('rejects name lists that do not match the shard count', () => {
    expect(() => movedFraction(ring(4), ring(5), names(4), names(4))).toThrow(RangeError);
  });
});

describe('movedFraction with modulo', () => {
  it('moves 80 % from 4 → 5 shards, exactly', () => {
    const moved = movedFraction(new Modulo(4), new Modulo(5), names(4), names(5));
    expect(Math.abs(moved * 100 - 80)).toBeLessThan(0.0001);
    // Kept: h ≡ h mod 4 ≡ h mod 5, i.e. h mod 20 ∈ {0..3}; 2^32 mod 20 = 16 adds one more partial period.
    expect(moved * HASH_SPACE).toBe(HASH_SPACE - (Math.floor(HASH_SPACE / 20) * 4 + 4));
  });

  it('moves nothing for an unchanged layout and everything for disjoint names', () => {
    expect(movedFraction(new Modulo(6), new Modulo(6), names(6), names(6))).toBe(0);
    expect(movedFraction(new Modulo(3), new Modulo(3), names(3), ['x', 'y', 'z'])).toBe(1);
  });

  it('mixes ring and modulo exactly and symmetrically', () => {
    const there = movedFraction(ring(5), new Modulo(5), names(5), names(5));
    const back = movedFraction(new Modulo(5), ring(5), names(5), names(5));
    expect(there).toBe(back);
    // Ring arcs are millions of hashes long, so ~1/5 of each stays on the same residue.
    expect(Math.abs(there - 0.8)).toBeLessThan(1e-5);
    expect(movedFraction(ring(1), new Modulo(1), names(1), names(1))).toBe(0);
  });
});

describe('movedRanges', () => {
  it('lists exactly the hash ranges the new shard takes over (4 → 5)', () => {
    const before = ring(4);
    const after = ring(5);
    const ranges = movedRanges(before, after, names(4), names(5));
    expect(ranges.length).toBeGreaterThan(0);
    const total = ranges.reduce((sum, r) => sum + r.end - r.start + 1, 0);
    expect(total / HASH_SPACE).toBe(movedFraction(before, after, names(4), names(5)));
    for (const r of ranges) {
      expect(r.to).toBe(4);
      expect(before.locate(r.start).shardIndex).toBe(r.from);
      expect(before.locate(r.end).shardIndex).toBe(r.from);
      expect(after.locate(r.start).shardIndex).toBe(4);
      expect(after.locate(r.end).shardIndex).toBe(4);
    }
    for (let i = 1; i < ranges.length; i++) expect(ranges[i]!.start).toBeGreaterThan(ranges[i - 1]!.end);
  });

  it('is empty for an unchanged ring', () => {
    expect(movedRanges(ring(3), ring(3), names(3), names(3))).toEqual([]);
  });

  it('refuses modulo, whose moves are not contiguous', () => {
    expect(() => movedRanges(new Modulo(4), new Modulo(5), names(4), names(5))).toThrow(/not contiguous/);
    expect(() => movedRanges(ring(4), new Modulo(5), names(4), names(5))).toThrow(/not contiguous/);
  });
});
