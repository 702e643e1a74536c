import { describe, expect, it } from 'vitest';
import { readTypedNumber } from './typed-number.js';

const percent = { min: 0, max: 100 };

describe('readTypedNumber', () => {
  it('reads a decimal comma or point, a percent sign and spaces', () => {
    expect(readTypedNumber('22.69')).toEqual({ ok: true, value: 22.69 });
    expect(readTypedNumber('22,69')).toEqual({ ok: true, value: 22.69 });
    expect(readTypedNumber(' 16 % ')).toEqual({ ok: true, value: 16 });
    expect(readTypedNumber('-3,5')).toEqual({ ok: true, value: -3.5 });
  });

  it('reads thousands separators in either convention', () => {
    expect(readTypedNumber('1,000,000')).toEqual({ ok: true, value: 1_000_000 });
    expect(readTypedNumber('1.000.000')).toEqual({ ok: true, value: 1_000_000 });
    expect(readTypedNumber('12 345')).toEqual({ ok: true, value: 12_345 });
    expect(readTypedNumber('1,234.5')).toEqual({ ok: true, value: 1234.5 });
    expect(readTypedNumber('1.234,5')).toEqual({ ok: true, value: 1234.5 });
  });

  it('lets the range decide a mark that could be either, and asks when both readings fit', () => {
    expect(readTypedNumber('16,120', percent)).toEqual({ ok: true, value: 16.12 });
    expect(readTypedNumber('83.333', percent)).toEqual({ ok: true, value: 83.333 });
    const both = readTypedNumber('1,000');
    expect(both.ok).toBe(false);
    expect(!both.ok && both.reason).toBe('“1,000” could be 1 or 1000; write it without a thousands separator.');
    expect(readTypedNumber('1,000', { min: 10, max: 1e6 })).toEqual({ ok: true, value: 1000 });
  });

  it('refuses what is no number, and a number out of range, saying why', () => {
    for (const typed of ['', 'abc', '0x10', '1e3', '12,34,5', '1,2.3.4', '%'])
      expect(readTypedNumber(typed), typed).toMatchObject({ ok: false, reason: expect.stringContaining('is not a number') });
    expect(readTypedNumber('250', percent)).toEqual({ ok: false, reason: '250 is outside 0 to 100.' });
  });
});
