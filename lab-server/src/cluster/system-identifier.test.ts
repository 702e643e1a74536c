import { expect, it } from 'vitest';
import { controlChecksumOffset, crc32c } from './system-identifier.js';

it('computes CRC-32C as PostgreSQL does (the standard check value of "123456789")', () => {
  expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
});

it('finds the checksum right after the data it covers, and refuses a file that has none', () => {
  const control = Buffer.alloc(8192);
  control.writeBigUInt64LE(7713682558853964581n, 0);
  control.writeUInt32LE(crc32c(control.subarray(0, 296)), 296);
  expect(controlChecksumOffset(control)).toBe(296);
  expect(() => controlChecksumOffset(Buffer.alloc(8192, 1))).toThrow(/no CRC-32C/);
});
