import { describe, expect, it } from 'vitest';
import { bytes } from './bytes.js';

describe('bytes', () => {
  it('reads in binary units', () => {
    expect([bytes(512), bytes(4096), bytes(10_211), bytes(2 * 1024 ** 3), bytes(5_442_027_454)]).toEqual([
      '512 bytes',
      '4.00 KiB',
      '9.97 KiB',
      '2.00 GiB',
      '5.07 GiB',
    ]);
  });
});
