import { describe, expect, it } from 'vitest';
import { v7 } from 'uuid';
import { judgeUuidTime, uuidTime, uuidV7Millis } from './uuid-time.js';

const spec = uuidTime.spec.parse({ kind: 'uuid-time', first_name: 'Alan', last_name: 'Turing' });

describe('uuid-time check', () => {
  it('reads the 48-bit millisecond time a UUIDv7 was minted with', () => {
    expect(uuidV7Millis(v7({ msecs: 1_700_000_000_123 }))).toBe(1_700_000_000_123);
    expect(uuidV7Millis('019478a1-3c5f-7d9e-8b3c-4a5f6e7d8c9b')).toBe(0x019478a13c5f);
  });

  it('passes the exact time, showing the hex and the date; fails anything else', () => {
    const id = v7({ msecs: 1_700_000_000_123 });
    expect(judgeUuidTime(spec, 1_700_000_000_123, id)).toEqual({
      passed: true,
      message: `Right: ${id} begins with 0x018bcfe5687b = 1,700,000,000,123 ms after 1970-01-01, that is 2023-11-14T22:13:20.123Z.`,
    });
    expect(judgeUuidTime(spec, 1_700_000_000_124, id).passed).toBe(false);
  });

  it('says to create the user first', () => {
    expect(judgeUuidTime(spec, 1, null).message).toMatch(/^There is no user named Alan Turing yet/);
  });
});
