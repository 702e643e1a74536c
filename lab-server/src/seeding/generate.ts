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

const TOPICS = [
  'Weekend plans',
  'Project Apollo',
  'Family',
  'Book club',
  'Running group',
  'Release 2.0',
  'Flatmates',
  'Design review',
  'Birthday',
  'On-call',
  'Football',
  'Recipes',
];
const WORDS = [
  'sure',
  'sounds good',
  'see you at 7',
  'can you check the doc?',
  'lol',
  'on my way',
  'thanks!',
  'did the build pass?',
  'coffee?',
  'running late',
  'great idea',
  'let me think about it',
  'shipped',
  'who is in?',
  'nice photo',
];

export const conversationTitle = (): string => `${pick(TOPICS)} ${Math.floor(Math.random() * 1000)}`;
export const messageBody = (): string => Array.from({ length: 1 + Math.floor(Math.random() * 3) }, () => pick(WORDS)).join(', ');

/**
 * Picks conversation indexes with a Zipf-like skew (weight 1/rank^s): a few conversations get most of the
 * messages and most stay quiet, as in a real messenger. Ranks are shuffled so the busy ones are not simply
 * the oldest.
 */
export function zipfPicker(n: number, s = 1.1): () => number {
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let k = 0; k < n; k++) cumulative[k] = total += 1 / (k + 1) ** s;
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return () => {
    const x = Math.random() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return order[lo]!;
  };
}
