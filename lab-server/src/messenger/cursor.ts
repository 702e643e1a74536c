import { InvalidInputError } from '../domain/errors.js';
import { toSortable } from './timestamps.js';

/** A position in a newest-first listing: the (created_at, id) of the last row already returned. */
export interface Keyset {
  created_at: string;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Opaque to clients on purpose: they pass it back unchanged, and we can change its contents later. */
export function encodeCursor(k: Keyset): string {
  return Buffer.from(JSON.stringify([k.created_at, k.id])).toString('base64url');
}

export function decodeCursor(cursor: string): Keyset {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'string' &&
      typeof value[1] === 'string' &&
      UUID.test(value[1]) &&
      realInstant(value[0])
    ) {
      return { created_at: toSortable(value[0]), id: value[1] };
    }
  } catch {
    // fall through to the invalid-input error below
  }
  throw new InvalidInputError('invalid_cursor', 'The cursor is not one this API returned; pass next_cursor back unchanged.', {
    field: 'cursor',
  });
}

/** An RFC 3339 UTC timestamp naming a moment that exists (not 2024-02-30, not 25:00), as PostgreSQL will read it. */
function realInstant(iso: string): boolean {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.\d{1,6})?Z$/.exec(iso);
  if (!m) return false;
  const t = new Date(`${m[1]}Z`);
  return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 19) === m[1] && t.getUTCFullYear() >= 1;
}

/** Newest first: later created_at first, then the larger id (the same order as the index on each shard). */
export function compareNewestFirst(a: Keyset, b: Keyset): number {
  const ta = toSortable(a.created_at);
  const tb = toSortable(b.created_at);
  if (ta !== tb) return ta < tb ? 1 : -1;
  return a.id === b.id ? 0 : a.id < b.id ? 1 : -1;
}
