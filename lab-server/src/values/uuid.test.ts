import { describe, expect, it } from 'vitest';
import { v4, v7 } from 'uuid';
import { uuidAnatomy } from './uuid.js';

describe('uuidAnatomy', () => {
  it('reads a v7 id: its millisecond time, version 7, variant 10, and 74 random bits', () => {
    const id = v7({ msecs: 1_700_000_000_123 });
    const a = uuidAnatomy(id.toUpperCase())!;
    expect(a).toMatchObject({ id, version: 7, variant_bits: '10', unix_ms: 1_700_000_000_123, time: '2023-11-14T22:13:20.123Z', random_bits: 74 });
    expect(a.fields.map((f) => f.hex).join('')).toBe(id.replaceAll('-', ''));
    expect(a.fields.reduce((s, f) => s + f.bits, 0)).toBe(128);
  });

  it('reads a v4 id as random apart from its version and variant', () => {
    const a = uuidAnatomy(v4())!;
    expect(a).toMatchObject({ version: 4, variant_bits: '10', unix_ms: null, time: null, random_bits: 122 });
  });

  it('refuses what is not a UUID', () => {
    expect(uuidAnatomy('user-42')).toBeNull();
  });
});
