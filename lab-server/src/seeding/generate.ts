import { v7 as uuidv7 } from 'uuid';
import { EMAIL_DOMAINS, FIRST_NAMES, LAST_NAMES } from './names.js';

export interface SeedUser {
  id: string;
  first_name: string;
  last_name: string;
  email: string;
  created_at: string;
}

const DAY_MS = 86_400_000;
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;

/**
 * A user who signed up at a random moment of the last `days` days. The id is a UUIDv7 of that moment, so
 * ids and created_at agree, as they do for users created through the API.
 */
export function generateUser(now: number, days = 365): SeedUser {
  const msecs = now - Math.floor(Math.random() * days * DAY_MS);
  const first = pick(FIRST_NAMES);
  const last = pick(LAST_NAMES);
  return {
    id: uuidv7({ msecs }),
    first_name: first,
    last_name: last,
    email: `${first}.${last}${Math.floor(Math.random() * 100_000)}@${pick(EMAIL_DOMAINS)}`.toLowerCase(),
    created_at: new Date(msecs).toISOString(),
  };
}

/** One line of COPY's text format. Generated values hold no tabs, newlines or backslashes, but stay safe anyway. */
export function copyLine(values: readonly string[]): string {
  return `${values.map((v) => v.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!)).join('\t')}\n`;
}
