import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ringHash } from './hash.js';
import { InvalidKeyError } from './key.js';
import { Md5Ring } from './md5-ring.js';
import { Modulo } from './modulo.js';
import { Router } from './router.js';
import { defaultShardNames } from './strategies.js';
import golden from './testdata/md5-ring.golden.json' with { type: 'json' };

const ringRouter = (n: number): Router => new Router(new Md5Ring(defaultShardNames(n), golden.vnodes), defaultShardNames(n));

describe('Router over md5-ring', () => {
  const r5 = ringRouter(5);
  const r4 = ringRouter(4);

  it.each(golden.routes.cases)('routes $key to shard $shardOf5 of 5 and $shardOf4 of 4', (c) => {
    const route = r5.route(c.key);
    expect(route).toMatchObject({
      key: c.key,
      normalized_key: c.key,
      hash: Number.parseInt(c.hash, 16),
      shard_id: c.shardOf5,
      shard_name: `shard-${c.shardOf5}`,
    });
    expect(route.vnode).toMatch(new RegExp(`^shard-${c.shardOf5}-vn\\d+$`));
    expect(r4.shardFor(c.key)).toBe(c.shardOf4);
  });

  it('routes an upper-case key like its lower-case form (the original did not)', () => {
    const { key, rawHash, normalizedKey } = golden.routes.upperCase;
    // The original hashed the raw string, so case changed the shard.
    expect(ringHash(key)).toBe(Number.parseInt(rawHash, 16));
    expect(ringHash(key)).not.toBe(ringHash(normalizedKey));

    const upper = r5.route(key);
    const lower = r5.route(normalizedKey);
    expect(upper.key).toBe(key);
    expect(upper.normalized_key).toBe(normalizedKey);
    expect({ ...upper, key: normalizedKey }).toEqual(lower);
  });

  it('rejects non-UUID keys', () => {
    expect(() => r5.route('abc')).toThrow(InvalidKeyError);
    expect(() => r5.shardFor('')).toThrow(InvalidKeyError);
  });

  it('routes bare hashes and validates them', () => {
    expect(r5.routeHash(0x3b32b2dc)).toEqual({ hash: 0x3b32b2dc, vnode: 'shard-2-vn70', shard_id: 2, shard_name: 'shard-2' });
    for (const bad of [-1, 2 ** 32, 1.5, Number.NaN]) expect(() => r5.routeHash(bad)).toThrow(RangeError);
  });

  it('spreads 200,000 random v4 UUIDs within ±0.5 points of the arc shares', () => {
    const n = 200_000;
    const counts = new Array<number>(5).fill(0);
    for (let i = 0; i < n; i++) {
      const id = r5.shardFor(randomUUID());
      counts[id] = (counts[id] ?? 0) + 1;
    }
    const shares = r5.strategy.shares();
    counts.forEach((count, i) => {
      expect(Math.abs((count / n) * 100 - shares[i]! * 100)).toBeLessThan(0.5);
    });
  });
});

describe('Router over modulo', () => {
  it('reports no vnode and uses custom shard names', () => {
    const router = new Router(new Modulo(3), ['east', 'west', 'north']);
    const key = '00000000-0000-0000-0000-000000000001';
    const id = 0xc96589ee % 3;
    expect(router.route(key)).toEqual({
      key,
      normalized_key: key,
      hash: 0xc96589ee,
      vnode: null,
      shard_id: id,
      shard_name: ['east', 'west', 'north'][id],
    });
  });

  it('rejects a name list that does not match the shard count', () => {
    expect(() => new Router(new Modulo(3), ['a', 'b'])).toThrow(RangeError);
  });
});
