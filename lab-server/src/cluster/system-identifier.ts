import { randomInt } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';

/**
 * Every PostgreSQL server must have a system identifier of its own: logical replication names the slot of a
 * table's initial copy `pg_<subscription oid>_sync_<table oid>_<system identifier>` on the source. Servers
 * copied from one initdb template share the template's identifier and, being copies, their oids too, so two
 * targets copying the same table from one source would use one slot name and drop each other's slot, leaving a
 * table stuck in its initial copy. initdb makes the identifier from the time and its pid; this gives a copied,
 * cleanly shut down data directory a new one the same way (the embedded binaries ship no pg_resetwal).
 */
export async function giveNewSystemIdentifier(dataDir: string): Promise<bigint> {
  const file = path.join(dataDir, 'global', 'pg_control');
  const control = await fsp.readFile(file);
  const crcAt = controlChecksumOffset(control);
  const old = control.readBigUInt64LE(0);
  const now = Date.now();
  const id = (BigInt(Math.floor(now / 1000)) << 32n) | (BigInt((now % 1000) * 1000 + randomInt(1000)) << 12n) | BigInt(randomInt(4096));
  // The identifier is the control data's first field, in the machine's byte order (little-endian on x86 and arm64).
  control.writeBigUInt64LE(id, 0);
  control.writeUInt32LE(crc32c(control.subarray(0, crcAt)), crcAt);
  // Each WAL segment's first page names the system too, and start-up refuses a segment of another system; the
  // records' checksums do not cover page headers, so the identifier is rewritten there in place.
  const wal = path.join(dataDir, 'pg_wal');
  for (const name of (await fsp.readdir(wal)).filter((n) => /^[0-9A-F]{24}$/.test(n))) {
    const segment = await fsp.open(path.join(wal, name), 'r+');
    try {
      const header = Buffer.alloc(8);
      await segment.read(header, 0, 8, WAL_SYSID_AT);
      if (header.readBigUInt64LE(0) !== old)
        throw new Error(`${name}: its first page does not name the system ${old}; not a copy of a cleanly shut down server?`);
      header.writeBigUInt64LE(id, 0);
      await segment.write(header, 0, 8, WAL_SYSID_AT);
    } finally {
      await segment.close();
    }
  }
  await fsp.writeFile(file, control);
  return id;
}

/** `xlp_sysid` in a segment's long page header: after the 20-byte short header, aligned to 8. */
const WAL_SYSID_AT = 24;

/**
 * Where the control data's CRC-32C sits: right after the data it covers, which starts at byte 0. Its layout
 * changes between major versions, so the offset is found rather than assumed; the data is under 512 bytes.
 */
export function controlChecksumOffset(control: Buffer): number {
  for (let at = 8; at + 4 <= Math.min(control.length, 512); at += 4) {
    if (crc32c(control.subarray(0, at)) === control.readUInt32LE(at)) return at;
  }
  throw new Error('pg_control: no CRC-32C found in its first 512 bytes; is this a PostgreSQL data directory?');
}

const CRC32C_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32C (Castagnoli), PostgreSQL's checksum of its control file. */
export function crc32c(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC32C_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
