import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Account } from '../src/messenger/accounts/schemas.js';
import type { Conversation, InboxPage, Message, MessagePage } from '../src/messenger/conversations/schemas.js';
import type { OutboxBacklog } from '../src/messenger/outbox/outbox.js';
import { messengerApi } from '../src/http/routes/messenger.js';
import type { User } from '../src/messenger/users/schemas.js';
import { ringHash } from '../src/sharding/hash.js';
import { contract } from './support/contract.js';
import { queryServer, startTestLab, testRing, type ErrorReply, type Reply, type TestLab } from './support/lab.js';

const SHARDS = 3;
const ring = testRing(SHARDS);
let t: TestLab;
let check: ReturnType<typeof contract>;

beforeAll(async () => {
  // Hundreds of concurrent requests queue for 20 pooled connections per shard; on a busy 2-core machine the
  // wait can pass the 1 s test default, which the pool reports as a connect timeout (503).
  t = await startTestLab(SHARDS, { LAB_CONNECT_TIMEOUT_MS: '10000' });
  const doc = await t.call<Parameters<typeof contract>[1]>('GET', '/api/openapi.json');
  check = contract(messengerApi(t.running.lab.messenger), doc.body);
});
afterAll(async () => t?.stop());

/** Every messenger call is checked against the OpenAPI document: documented status, body matching its schema. */
async function api<T>(method: string, path: string, body?: unknown): Promise<Reply<T>> {
  return check(method, path, await t.call<T>(method, path, body));
}

const sql = <T extends pg.QueryResultRow>(shard: number, text: string, values: unknown[] = []) => queryServer<T>(t.shardUrls[shard]!, text, values);

/** Row counts of every messenger table on every shard: "nothing was written anywhere" compares two of these. */
async function census(): Promise<Record<string, number>[]> {
  const tables = [
    'users',
    'accounts',
    'users_accounts',
    'conversations',
    'conversation_members',
    'messages',
    'user_conversations',
    'username_lookup',
    'email_lookup',
    'outbox',
  ];
  return Promise.all(
    t.shardUrls.map(async (_u, i) => {
      const [row] = await sql<Record<string, string>>(i, `SELECT ${tables.map((tb) => `(SELECT count(*) FROM ${tb})::text AS ${tb}`).join(', ')}`);
      return Object.fromEntries(Object.entries(row!).map(([k, v]) => [k, Number(v)]));
    }),
  );
}

const newUser = async (first = 'Test') => (await api<User>('POST', '/api/v1/users', { first_name: first, last_name: 'User' })).body;

/** Users until there is one on each of `n` distinct shards. */
async function usersOnDistinctShards(n: number): Promise<User[]> {
  const byShard = new Map<number, User>();
  while (byShard.size < n) {
    const u = await newUser();
    byShard.set(ring.shardFor(u.id), u);
  }
  return [...byShard.values()].slice(0, n);
}

async function drainOutbox(): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const { body } = await t.call<OutboxBacklog>('GET', '/lab/v1/outbox');
    if (body.total_pending === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('outbox did not drain');
}

const setLayer = async (data_layer: 'pg' | 'prisma') => expect((await t.call('PUT', '/lab/v1/settings', { data_layer })).status).toBe(200);

describe.each(['pg', 'prisma'] as const)('conversations and messages (%s data layer)', (layer) => {
  beforeAll(async () => setLayer(layer));
  afterAll(async () => setLayer('pg'));

  it('creates a conversation across users on different shards; members and messages on its shard, inboxes on theirs', async () => {
    const members = await usersOnDistinctShards(3);
    const res = await api<Conversation>('POST', '/api/v1/conversations', {
      title: 'Planning',
      member_ids: [...members.map((m) => m.id.toUpperCase()), members[0]!.id],
    });
    expect(res.status).toBe(201);
    const c = res.body;
    expect(c.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    expect(c.members).toEqual(members.map((m) => m.id).sort());
    expect(res.headers.get('location')).toBe(`/api/v1/conversations/${c.id}`);

    const home = ring.shardFor(c.id);
    const [conv] = await sql<{ ring_hash: string }>(home, 'SELECT ring_hash::text FROM conversations WHERE id = $1', [c.id]);
    expect(Number(conv!.ring_hash)).toBe(ringHash(c.id));
    expect((await sql(home, 'SELECT user_id FROM conversation_members WHERE conversation_id = $1', [c.id])).length).toBe(3);
    for (const m of members) {
      const rows = await sql<{ title: string }>(ring.shardFor(m.id), 'SELECT title FROM user_conversations WHERE user_id = $1 AND conversation_id = $2', [
        m.id,
        c.id,
      ]);
      expect(rows).toEqual([{ title: 'Planning' }]);
    }
    expect((await api<Conversation>('GET', `/api/v1/conversations/${c.id.toUpperCase()}`)).body).toEqual(c);
    await drainOutbox();
  });

  it('posts and pages messages newest first, every message exactly once', async () => {
    const members = await usersOnDistinctShards(2);
    const { body: c } = await api<Conversation>('POST', '/api/v1/conversations', { title: 'Chat', member_ids: members.map((m) => m.id) });
    const sent: Message[] = [];
    for (let i = 0; i < 11; i++) {
      const res = await api<Message>('POST', `/api/v1/conversations/${c.id}/messages`, { sender_id: members[i % 2]!.id, body: `message ${i}` });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ conversation_id: c.id, sender_id: members[i % 2]!.id, body: `message ${i}` });
      sent.push(res.body);
    }
    const seen: Message[] = [];
    let before: string | null = null;
    for (let pages = 0; pages < 20; pages++) {
      const page: Reply<MessagePage> = await api<MessagePage>('GET', `/api/v1/conversations/${c.id}/messages?limit=4${before ? `&before=${before}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.data);
      before = page.body.next_before;
      if (!before) break;
    }
    expect(seen.map((m) => m.body)).toEqual([...sent].reverse().map((m) => m.body));
    expect(seen).toEqual([...sent].reverse());
    const stored = await sql<{ n: string }>(ring.shardFor(c.id), 'SELECT count(*)::text AS n FROM messages WHERE conversation_id = $1 AND ring_hash = $2', [
      c.id,
      ringHash(c.id),
    ]);
    expect(Number(stored[0]!.n)).toBe(11);
    const empty = await api<Conversation>('POST', '/api/v1/conversations', { title: 'Quiet', member_ids: [members[0]!.id] });
    expect((await api<MessagePage>('GET', `/api/v1/conversations/${empty.body.id}/messages`)).body).toEqual({ data: [], next_before: null });
  });

  it('refuses a sender who is not a member (403), an unknown conversation (404) and bad bodies (400)', async () => {
    const [a, outsider] = await usersOnDistinctShards(2);
    const { body: c } = await api<Conversation>('POST', '/api/v1/conversations', { title: 'Members only', member_ids: [a!.id] });
    const before = await census();
    const forbidden = await api<ErrorReply>('POST', `/api/v1/conversations/${c.id}/messages`, { sender_id: outsider!.id, body: 'hi' });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.code).toBe('not_a_member');
    const missing = await api<ErrorReply>('POST', `/api/v1/conversations/${crypto.randomUUID()}/messages`, { sender_id: a!.id, body: 'hi' });
    expect(missing.status).toBe(404);
    expect((await api('GET', `/api/v1/conversations/${crypto.randomUUID()}/messages`)).status).toBe(404);
    expect((await api('GET', `/api/v1/conversations/${crypto.randomUUID()}`)).status).toBe(404);
    for (const body of [
      { sender_id: a!.id, body: '' },
      { sender_id: a!.id, body: 'x'.repeat(4001) },
      { sender_id: 'nope', body: 'hi' },
      { body: 'hi' },
      { sender_id: a!.id, body: 'hi', extra: 1 },
    ]) {
      const res = await api<ErrorReply>('POST', `/api/v1/conversations/${c.id}/messages`, body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    expect((await api('POST', '/api/v1/conversations/not-a-uuid/messages', { sender_id: a!.id, body: 'hi' })).status).toBe(400);
    expect((await api('GET', `/api/v1/conversations/${c.id}/messages?before=zzz`)).status).toBe(400);
    expect(await census()).toEqual(before);
    // 4000 characters is the limit, counted as PostgreSQL counts them (an emoji is one character).
    const longest = await api<Message>('POST', `/api/v1/conversations/${c.id}/messages`, { sender_id: a!.id, body: '😀'.repeat(4000) });
    expect(longest.status).toBe(201);
  });
});

describe('conversation rules', () => {
  it('gives 422 listing the member ids that do not exist, and writes nothing anywhere', async () => {
    const [a] = await usersOnDistinctShards(1);
    const ghosts = [crypto.randomUUID(), crypto.randomUUID()];
    const before = await census();
    const res = await api<ErrorReply>('POST', '/api/v1/conversations', { title: 'Ghosts', member_ids: [a!.id, ...ghosts] });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('unknown_members');
    expect(new Set(res.body.error.details.missing_ids as string[])).toEqual(new Set(ghosts));
    expect(await census()).toEqual(before);
  });

  it('validates the title and member list', async () => {
    const [a] = await usersOnDistinctShards(1);
    for (const body of [
      { member_ids: [a!.id] },
      { title: '', member_ids: [a!.id] },
      { title: 'x'.repeat(201), member_ids: [a!.id] },
      { title: 'T', member_ids: [] },
      { title: 'T', member_ids: ['nope'] },
      { title: 'T', member_ids: a!.id },
    ]) {
      expect((await api('POST', '/api/v1/conversations', body)).status, JSON.stringify(body).slice(0, 60)).toBe(400);
    }
  });

  it("lists a user's conversations from their inbox, newest first, in pages", async () => {
    const [me, other] = await usersOnDistinctShards(2);
    const made: Conversation[] = [];
    for (let i = 0; i < 5; i++)
      made.push((await api<Conversation>('POST', '/api/v1/conversations', { title: `Room ${i}`, member_ids: [me!.id, other!.id] })).body);
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const page: Reply<InboxPage> = await api<InboxPage>('GET', `/api/v1/users/${me!.id}/conversations?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.data.map((e) => e.title));
      cursor = page.body.next_cursor;
      if (!cursor) break;
    }
    expect(seen).toEqual(['Room 4', 'Room 3', 'Room 2', 'Room 1', 'Room 0']);
    expect((await api('GET', `/api/v1/users/${crypto.randomUUID()}/conversations`)).status).toBe(404);
    expect((await api('GET', `/api/v1/users/${me!.id}/conversations?cursor=bad`)).status).toBe(400);
  });

  it('fills the inboxes later when the request that created the conversation died before doing it', async () => {
    const members = await usersOnDistinctShards(2);
    const { body: c } = await api<Conversation>('POST', '/api/v1/conversations', { title: 'Recovered', member_ids: members.map((m) => m.id) });
    // Simulate the crash: take the inbox rows away and put the event back, as if it had never been applied.
    for (const m of members) await sql(ring.shardFor(m.id), 'DELETE FROM user_conversations WHERE conversation_id = $1', [c.id]);
    await sql(ring.shardFor(c.id), "INSERT INTO outbox (topic, payload) VALUES ('conversation.created', $1)", [
      { conversation_id: c.id, title: c.title, member_ids: c.members, joined_at: c.created_at },
    ]);
    t.running.lab.messenger.outbox.wake();
    await drainOutbox();
    for (const m of members) expect((await api<InboxPage>('GET', `/api/v1/users/${m.id}/conversations`)).body.data.map((e) => e.id)).toContain(c.id);
  });
});

describe('deleting a user', () => {
  it('removes co-located rows at once and, through the outbox, the references on every other shard', async () => {
    const [gone, b, c] = await usersOnDistinctShards(3);
    const account = await api<Account>('POST', '/api/v1/accounts', {
      user_id: gone!.id,
      username: `Leaver${Date.now()}`,
      email: `leaver${Date.now()}@example.com`,
      password: 'correct horse',
    });
    expect(account.status).toBe(201);
    const convs: Conversation[] = [];
    // At least four, and on more than one shard (ids hash anywhere, so four alone may share one).
    for (let i = 0; i < 4 || new Set(convs.map((x) => ring.shardFor(x.id))).size < 2; i++) {
      convs.push((await api<Conversation>('POST', '/api/v1/conversations', { title: `Group ${i}`, member_ids: [gone!.id, b!.id, c!.id] })).body);
    }
    const solo = (await api<Conversation>('POST', '/api/v1/conversations', { title: 'Only me', member_ids: [gone!.id] })).body;
    for (const conv of convs) await api('POST', `/api/v1/conversations/${conv.id}/messages`, { sender_id: gone!.id, body: 'bye' });
    expect(new Set(convs.map((x) => ring.shardFor(x.id))).size).toBeGreaterThan(1);

    expect((await api('DELETE', `/api/v1/users/${gone!.id}`)).status).toBe(204);
    const home = ring.shardFor(gone!.id);
    for (const table of ['users WHERE id', 'accounts WHERE user_id', 'users_accounts WHERE user_id', 'user_conversations WHERE user_id']) {
      expect(await sql(home, `SELECT 1 FROM ${table} = $1`, [gone!.id]), table).toEqual([]);
    }
    await drainOutbox();
    for (const conv of convs) {
      const got = await api<Conversation>('GET', `/api/v1/conversations/${conv.id}`);
      expect(got.body.members).toEqual([b!.id, c!.id].sort());
      const msgs = await api<MessagePage>('GET', `/api/v1/conversations/${conv.id}/messages`);
      expect(msgs.body.data.map((m) => [m.body, m.sender_id])).toEqual([['bye', null]]);
    }
    for (const s of [0, 1, 2]) expect(await sql(s, 'SELECT 1 FROM conversation_members WHERE user_id = $1', [gone!.id])).toEqual([]);
    expect((await api('GET', `/api/v1/conversations/${solo.id}`)).status).toBe(404);
    for (const other of [b!, c!]) {
      expect((await api<InboxPage>('GET', `/api/v1/users/${other.id}/conversations?limit=100`)).body.data.map((e) => e.id)).toEqual(
        expect.arrayContaining(convs.map((x) => x.id)),
      );
    }
    // The username and e-mail are free again.
    const again = await api('POST', '/api/v1/accounts', {
      user_id: b!.id,
      username: account.body.username,
      email: account.body.email,
      password: 'another secret',
    });
    expect(again.status).toBe(201);
  });

  it('keeps the event while a target shard is down, shows the backlog, and applies it once the shard is back', async () => {
    const [gone, other] = await usersOnDistinctShards(2);
    const home = ring.shardFor(gone!.id);
    let conv: Conversation;
    do conv = (await api<Conversation>('POST', '/api/v1/conversations', { title: 'Far away', member_ids: [gone!.id, other!.id] })).body;
    while (ring.shardFor(conv.id) === home);
    const far = ring.shardFor(conv.id);
    await t.shards[far]!.stop();
    try {
      expect((await api('DELETE', `/api/v1/users/${gone!.id}`)).status).toBe(204);
      let backlog: OutboxBacklog;
      do {
        backlog = (await t.call<OutboxBacklog>('GET', '/lab/v1/outbox')).body;
        await new Promise((r) => setTimeout(r, 50));
      } while (!backlog.shards[home]!.failing);
      expect(backlog.shards.map((s) => s.shard)).toEqual(['shard-0', 'shard-1', 'shard-2']);
      expect(backlog.shards[home]).toMatchObject({ pending: 1, failing: 1 });
      expect(backlog.shards[home]!.last_error).toContain(`shard-${far}`);
      expect(backlog.shards[far]!.pending).toBeNull();
    } finally {
      await t.shards[far]!.start();
    }
    await drainOutbox();
    expect((await api<Conversation>('GET', `/api/v1/conversations/${conv.id}`)).body.members).toEqual([other!.id]);
  });
});

describe('accounts: usernames and e-mails unique across shards', () => {
  const unique = (p: string) => `${p}${Math.floor(Math.random() * 1e9)}`;

  it("creates an account on the user's shard with a hashed password and confirmed claims on the values' shards", async () => {
    const [u] = await usersOnDistinctShards(1);
    const username = unique('Ada_');
    const res = await api<Account>('POST', '/api/v1/accounts', { user_id: u!.id, username, email: `${username}@Example.com`, password: 'hunter2hunter2' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ user_id: u!.id, username, email: `${username}@Example.com` });
    expect(JSON.stringify(res.body)).not.toContain('hunter2');
    const [row] = await sql<{ password: string; ring_hash: string }>(ring.shardFor(u!.id), 'SELECT password, ring_hash::text FROM accounts WHERE id = $1', [
      res.body.id,
    ]);
    expect(row!.password).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(Number(row!.ring_hash)).toBe(ringHash(u!.id));
    const { verifyPassword } = await import('../src/messenger/accounts/password.js');
    expect(await verifyPassword('hunter2hunter2', row!.password)).toBe(true);
    expect(await verifyPassword('hunter3hunter3', row!.password)).toBe(false);
    const lower = username.toLowerCase();
    const claim = await sql<{ account_id: string; confirmed: boolean }>(
      ring.routeHash(ringHash(lower)).shard_id,
      'SELECT account_id, confirmed FROM username_lookup WHERE username = $1',
      [lower],
    );
    expect(claim).toEqual([{ account_id: res.body.id, confirmed: true }]);
  });

  it('answers 409 for a username or e-mail taken on any shard, in any letter case, and keeps no claim of the refused request', async () => {
    const [a, b] = await usersOnDistinctShards(2);
    const username = unique('grace');
    await api('POST', '/api/v1/accounts', { user_id: a!.id, username, email: `${username}@example.com`, password: 'password1' });
    const dupName = await api<ErrorReply>('POST', '/api/v1/accounts', {
      user_id: b!.id,
      username: username.toUpperCase(),
      email: `${username}-2@example.com`,
      password: 'password1',
    });
    expect(dupName.status).toBe(409);
    expect(dupName.body.error).toMatchObject({ code: 'already_taken', details: { field: 'username' } });
    const fresh = unique('fresh');
    const dupMail = await api<ErrorReply>('POST', '/api/v1/accounts', {
      user_id: b!.id,
      username: fresh,
      email: `${username.toUpperCase()}@EXAMPLE.com`,
      password: 'password1',
    });
    expect(dupMail.status).toBe(409);
    expect(dupMail.body.error.details.field).toBe('email');
    // The username claimed before the e-mail failed was given back at once.
    expect((await api('POST', '/api/v1/accounts', { user_id: b!.id, username: fresh, email: `${fresh}@example.com`, password: 'password1' })).status).toBe(201);
  });

  it('gives exactly one 201 to 50 concurrent requests for one username', async () => {
    const users = await Promise.all(Array.from({ length: 10 }, () => newUser('Racer')));
    const username = unique('race');
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        api<Account | ErrorReply>('POST', '/api/v1/accounts', {
          user_id: users[i % 10]!.id,
          username,
          email: `racer${i}-${username}@example.com`,
          password: 'password1',
        }),
      ),
    );
    expect(replies.filter((r) => r.status === 201)).toHaveLength(1);
    expect(replies.filter((r) => r.status === 409)).toHaveLength(49);
    const accounts = (await Promise.all([0, 1, 2].map((s) => sql(s, 'SELECT id FROM accounts WHERE lower(username) = $1', [username])))).flat();
    expect(accounts).toHaveLength(1);
    const claims = (await Promise.all([0, 1, 2].map((s) => sql(s, 'SELECT 1 FROM email_lookup WHERE email LIKE $1', [`%-${username}@example.com`])))).flat();
    expect(claims).toHaveLength(1);
  });

  it('frees a name whose claimant crashed before creating the account, and fences that account forever', async () => {
    const [crashed, next] = await usersOnDistinctShards(2);
    const username = unique('orphan');
    const staleAccount = crypto.randomUUID();
    await sql(
      ring.routeHash(ringHash(username)).shard_id,
      "INSERT INTO username_lookup (username, account_id, user_id, claimed_at) VALUES ($1, $2, $3, now() - interval '1 hour')",
      [username, staleAccount, crashed!.id],
    );
    // A second claimant that is merely slow: its claim is fresh.
    await sql(ring.routeHash(ringHash(`${username}x`)).shard_id, 'INSERT INTO username_lookup (username, account_id, user_id) VALUES ($1, $2, $3)', [
      `${username}x`,
      crypto.randomUUID(),
      crashed!.id,
    ]);

    const res = await api<Account>('POST', '/api/v1/accounts', { user_id: next!.id, username, email: `${username}@example.com`, password: 'password1' });
    expect(res.status).toBe(201);
    expect(await sql(ring.shardFor(crashed!.id), 'SELECT user_id FROM abandoned_accounts WHERE account_id = $1', [staleAccount])).toEqual([
      { user_id: crashed!.id },
    ]);
    // The crashed request wakes up and tries to create its account: the fence stops it.
    const { insertAccount, FencedError } = await import('../src/messenger/accounts/prisma-repository.js');
    const { prismaFor } = await import('../src/data/prisma.js');
    const late = insertAccount(prismaFor(t.running.lab.cluster.shard(ring.shardFor(crashed!.id)).pool), {
      id: staleAccount,
      user_id: crashed!.id,
      username,
      email: `late-${username}@example.com`,
      password: 'x',
      created_at: new Date().toISOString(),
    });
    await expect(late).rejects.toBeInstanceOf(FencedError);
    // A claim that has not expired yet is respected: 409, even though its account does not exist (yet).
    expect(
      (await api('POST', '/api/v1/accounts', { user_id: next!.id, username: `${username}x`, email: `${username}x@example.com`, password: 'password1' })).status,
    ).toBe(409);
  });

  it('keeps a name whose claimant crashed after creating the account, and confirms that claim', async () => {
    const [owner, next] = await usersOnDistinctShards(2);
    const username = unique('kept');
    const { body: acc } = await api<Account>('POST', '/api/v1/accounts', {
      user_id: owner!.id,
      username,
      email: `${username}@example.com`,
      password: 'password1',
    });
    const valueShard = ring.routeHash(ringHash(username)).shard_id;
    await sql(valueShard, "UPDATE username_lookup SET confirmed = false, claimed_at = now() - interval '1 hour' WHERE username = $1", [username]);
    const res = await api<ErrorReply>('POST', '/api/v1/accounts', {
      user_id: next!.id,
      username,
      email: `other-${username}@example.com`,
      password: 'password1',
    });
    expect(res.status).toBe(409);
    expect(await sql(valueShard, 'SELECT account_id, confirmed FROM username_lookup WHERE username = $1', [username])).toEqual([
      { account_id: acc.id, confirmed: true },
    ]);
  });

  it('rejects unknown users (422) and invalid input (400), writing nothing', async () => {
    const before = await census();
    const res = await api<ErrorReply>('POST', '/api/v1/accounts', {
      user_id: crypto.randomUUID(),
      username: unique('nobody'),
      email: 'nobody@example.com',
      password: 'password1',
    });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('unknown_user');
    expect(await census()).toEqual(before);
    const [u] = await usersOnDistinctShards(1);
    const after = await census();
    for (const body of [
      { user_id: u!.id, username: 'ab', email: 'a@example.com', password: 'password1' },
      { user_id: u!.id, username: 'has space', email: 'a@example.com', password: 'password1' },
      { user_id: u!.id, username: 'fine_name', email: 'nope', password: 'password1' },
      { user_id: u!.id, username: 'fine_name', email: 'a@example.com', password: 'short' },
      { user_id: u!.id, username: 'fine_name', email: 'a@example.com' },
    ]) {
      expect((await api('POST', '/api/v1/accounts', body)).status, JSON.stringify(body)).toBe(400);
    }
    expect(await census()).toEqual(after);
  });
});

describe('the OpenAPI document', () => {
  it('covers every /api/v1 route with schemas generated from the validating zod schemas', async () => {
    const { status, body } = await t.call<{
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties: Record<string, Record<string, unknown>> } }> } }>>;
    }>('GET', '/api/openapi.json');
    expect(status).toBe(200);
    expect(body.openapi).toBe('3.1.0');
    // The same document describes /lab/v1 too (test/lab-api.test.ts); this test is about the messenger's part.
    const listed = Object.entries(body.paths)
      .filter(([p]) => p.startsWith('/api/v1/'))
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`))
      .sort();
    expect(listed).toEqual(
      [
        'POST /api/v1/users',
        'GET /api/v1/users',
        'GET /api/v1/users/{id}',
        'PUT /api/v1/users/{id}',
        'DELETE /api/v1/users/{id}',
        'GET /api/v1/shards/stats',
        'GET /api/v1/shards/health',
        'POST /api/v1/conversations',
        'GET /api/v1/conversations/{id}',
        'POST /api/v1/conversations/{id}/messages',
        'GET /api/v1/conversations/{id}/messages',
        'GET /api/v1/users/{id}/conversations',
        'POST /api/v1/accounts',
        // The Migrations chapter's notes: a feature that needs the drill's schema on the user's shard.
        'POST /api/v1/users/{id}/notes',
        'GET /api/v1/users/{id}/notes',
      ].sort(),
    );
    const createUser = body.paths['/api/v1/users']!.post!.requestBody!.content['application/json']!.schema;
    expect(createUser.properties.first_name).toMatchObject({ type: 'string', minLength: 1, maxLength: 100 });
    const message = body.paths['/api/v1/conversations/{id}/messages']!.post!.requestBody!.content['application/json']!.schema;
    expect(Object.keys(message.properties).sort()).toEqual(['body', 'sender_id']);
  });
});
