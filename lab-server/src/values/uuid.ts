/**
 * A UUID's fields, as RFC 9562 lays them out: 48 bits of Unix milliseconds in a version 7 id, the 4-bit version,
 * the variant bits, and what is left for randomness. Shared by the server (GET /lab/v1/ids/:id) and the
 * browser lab (the UUIDv7 widget colours the same digit ranges), so it has no Node imports.
 */

export interface UuidAnatomy {
  id: string;
  version: number;
  /** `10` is RFC 9562's variant (every v4 and v7 id); other patterns are older or reserved layouts. */
  variant_bits: string;
  /** Version 7 only: the Unix time in milliseconds held by the first 48 bits, and as a date. */
  unix_ms: number | null;
  time: string | null;
  /** The hex digits of each field, in order, so a reader can see where each begins (`-` left out). */
  fields: { name: 'unix_ts_ms' | 'ver' | 'rand_a' | 'var + rand_b' | 'random'; hex: string; bits: number }[];
  /** How many bits are random: 74 in v7 (12 + 62), 122 in v4. */
  random_bits: number;
}

/** The fields of a hyphenated UUID (any letter case); null when it is not one. */
export function uuidAnatomy(raw: string): UuidAnatomy | null {
  const id = raw.trim().toLowerCase();
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) return null;
  const hex = id.replaceAll('-', '');
  const version = Number.parseInt(hex[12]!, 16);
  const variant_bits = Number.parseInt(hex[16]!, 16).toString(2).padStart(4, '0').slice(0, 2);
  if (version === 7) {
    const unix_ms = Number.parseInt(hex.slice(0, 12), 16);
    return {
      id,
      version,
      variant_bits,
      unix_ms,
      time: new Date(unix_ms).toISOString(),
      fields: [
        { name: 'unix_ts_ms', hex: hex.slice(0, 12), bits: 48 },
        { name: 'ver', hex: hex[12]!, bits: 4 },
        { name: 'rand_a', hex: hex.slice(13, 16), bits: 12 },
        { name: 'var + rand_b', hex: hex.slice(16), bits: 64 },
      ],
      random_bits: 74,
    };
  }
  return {
    id,
    version,
    variant_bits,
    unix_ms: null,
    time: null,
    fields: [
      { name: 'random', hex: hex.slice(0, 12), bits: 48 },
      { name: 'ver', hex: hex[12]!, bits: 4 },
      { name: 'random', hex: hex.slice(13, 16), bits: 12 },
      { name: 'var + rand_b', hex: hex.slice(16), bits: 64 },
    ],
    random_bits: version === 4 ? 122 : 128 - 6,
  };
}
