import { describe, expect, it } from 'vitest';
import { HASH_SPACE, ringHash } from './hash.js';

describe('ringHash', () => {
  // Expected values: first 8 hex digits of `printf '<key>' | md5sum`.
  it.each([
    ['', 0xd41d8cd9],
    ['abc', 0x90015098], // top bit set: must stay unsigned
    ['shard-2-vn17', 0x3f69ebab],
    ['é', 0x66ddcd97], // hashed as UTF-8 bytes c3 a9
    ['123e4567-e89b-12d3-a456-426614174000', 0x3b32b2dc],
  ])('ringHash(%j) = md5 prefix', (key, expected) => {
    expect(ringHash(key)).toBe(expected);
  });

  it('stays within [0, 2^32)', () => {
    expect(HASH_SPACE).toBe(4294967296);
    for (let i = 0; i < 1000; i++) {
      const h = ringHash(`k${i}`);
      expect(Number.isInteger(h) && h >= 0 && h < HASH_SPACE).toBe(true);
    }
  });
});
