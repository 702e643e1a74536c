import { createHash } from 'node:crypto';

/** Size of the ring: every hash is an unsigned 32-bit integer. */
export const HASH_SPACE = 2 ** 32;

/**
 * MD5 of the UTF-8 key, first 4 bytes big-endian — the same position function
 * the original Go project used for both keys and virtual nodes, so routes and
 * ring layouts stay byte-for-byte comparable with it.
 */
export function ringHash(key: string): number {
  return createHash('md5').update(key, 'utf8').digest().readUInt32BE(0);
}
