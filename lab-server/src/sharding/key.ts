/**
 * Shard keys are UUIDs. The original project hashed the raw string, so
 * `ABC…` and `abc…` landed on different shards; normalising first makes the
 * route a property of the UUID, not of how a client happened to spell it.
 */

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class InvalidKeyError extends Error {
  override readonly name = 'InvalidKeyError';

  constructor(readonly raw: string) {
    super(`not a UUID: '${raw}'`);
  }
}

/** True when `raw` (surrounding whitespace allowed) is a hyphenated 8-4-4-4-12 UUID. */
export function isUuid(raw: string): boolean {
  return UUID_RE.test(raw.trim());
}

/** Canonical lower-case UUID; throws InvalidKeyError for anything else. */
export function normalizeKey(raw: string): string {
  const trimmed = raw.trim();
  if (!UUID_RE.test(trimmed)) throw new InvalidKeyError(raw);
  return trimmed.toLowerCase();
}
