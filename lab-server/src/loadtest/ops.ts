import { EMAIL_DOMAINS, FIRST_NAMES, LAST_NAMES } from '../seeding/names.js';
import type { OpName } from './scenarios.js';

/** What a run reads from: ids that exist on the shards when it starts, and the messenger's conversations. */
export interface RunData {
  user_ids: string[];
  conversations: { id: string; member_ids: string[] }[];
  hot: { id: string; member_ids: string[] } | null;
}

/** Values one step hands to the next in its flow: the user it created, the cursor it got. */
export interface Vars {
  id?: string;
  cursor?: string;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  body?: string;
}

export interface OpSpec {
  /** The one status that counts as success. */
  expect: number;
  /** The request, or null when the flow cannot go on (e.g. no next page): the flow then ends there. */
  build(vars: Vars, data: RunData, random: () => number): HttpRequest | null;
  /** Reads what the next step needs from a successful response. */
  capture?(body: string, vars: Vars): void;
}

const pick = <T>(xs: readonly T[], random: () => number): T => xs[Math.floor(random() * xs.length)]!;

function newUser(random: () => number): string {
  const first = pick(FIRST_NAMES, random);
  const last = pick(LAST_NAMES, random);
  const email = `${first}.${last}.${Math.floor(random() * 1e9)}@${pick(EMAIL_DOMAINS, random)}`.toLowerCase();
  return JSON.stringify({ first_name: first, last_name: last, email });
}

/** A user id: the one this flow created, else one that existed when the run started. */
const userId = (vars: Vars, data: RunData, random: () => number) => vars.id ?? pick(data.user_ids, random);

const captureId = (body: string, vars: Vars) => {
  vars.id = (JSON.parse(body) as { id: string }).id;
};
const captureCursor = (body: string, vars: Vars) => {
  const cursor = (JSON.parse(body) as { next_cursor: string | null }).next_cursor;
  if (cursor) vars.cursor = cursor;
  else delete vars.cursor;
};

function sendMessage(conv: { id: string; member_ids: string[] } | null, random: () => number): HttpRequest | null {
  if (!conv) return null;
  const body = JSON.stringify({ sender_id: pick(conv.member_ids, random), body: `load test message ${Math.floor(random() * 1e9)}` });
  return { method: 'POST', path: `/api/v1/conversations/${conv.id}/messages`, body };
}

const readMessages = (conv: { id: string } | null): HttpRequest | null =>
  conv ? { method: 'GET', path: `/api/v1/conversations/${conv.id}/messages?limit=50` } : null;

/** Every operation a scenario can use: its request and the status it must get. */
export const OPS: Record<OpName, OpSpec> = {
  'user.get': { expect: 200, build: (v, d, r) => ({ method: 'GET', path: `/api/v1/users/${userId(v, d, r)}` }) },
  'user.list': { expect: 200, build: () => ({ method: 'GET', path: '/api/v1/users?limit=20' }), capture: captureCursor },
  'user.next-page': {
    expect: 200,
    build: (v) => (v.cursor ? { method: 'GET', path: `/api/v1/users?limit=20&cursor=${encodeURIComponent(v.cursor)}` } : null),
    capture: captureCursor,
  },
  'user.create': { expect: 201, build: (_v, _d, r) => ({ method: 'POST', path: '/api/v1/users', body: newUser(r) }), capture: captureId },
  'user.update': {
    expect: 200,
    build: (v, d, r) => ({ method: 'PUT', path: `/api/v1/users/${userId(v, d, r)}`, body: JSON.stringify({ last_name: pick(LAST_NAMES, r) }) }),
  },
  'user.delete': { expect: 204, build: (v) => (v.id ? { method: 'DELETE', path: `/api/v1/users/${v.id}` } : null) },
  'conversation.send': { expect: 201, build: (_v, d, r) => sendMessage(d.conversations.length ? pick(d.conversations, r) : null, r) },
  'conversation.messages': { expect: 200, build: (_v, d, r) => readMessages(d.conversations.length ? pick(d.conversations, r) : null) },
  'hot.send': { expect: 201, build: (_v, d, r) => sendMessage(d.hot, r) },
  'hot.messages': { expect: 200, build: (_v, d) => readMessages(d.hot) },
};
