import type { Cluster } from '../cluster/cluster.js';
import { ShardUnavailableError } from '../cluster/errors.js';
import { NotFoundError } from '../domain/errors.js';
import { locate } from '../messenger/locate.js';
import { ringHash } from '../sharding/hash.js';
import type { Router } from '../sharding/router.js';

/**
 * One conversation's rows wherever they live, read from the shards themselves (not from the API's answers),
 * each with the shard it sits on and the key that sent it there: the Foreign-keys chapter's live diagram.
 */

export interface UsernameRow {
  username: string;
  /** The account row: on its owner's shard (key: accounts.user_id). */
  account_shard: string;
  /** The lookup row: on the shard of the lower-cased name (key: username_lookup.username). */
  lookup_shard: string;
  lookup_confirmed: boolean | null;
}

export interface MemberPlacement {
  user_id: string;
  /** The membership row: on the conversation's shard, with a real foreign key to the conversation. */
  member_shard: string;
  /** The user's row: on the shard of the user id; null name when the user no longer exists (a dangling reference). */
  user_shard: string;
  user_exists: boolean;
  name: string | null;
  /** The inbox row (user_conversations): on the user's shard, key user_id. */
  inbox_row: boolean;
  messages: number;
  usernames: UsernameRow[];
}

export interface ConversationMap {
  conversation: { id: string; title: string; created_at: string; shard: string };
  members: MemberPlacement[];
  messages: { shard: string; total: number; without_sender: number };
}

type Shards = Pick<Cluster, 'shards' | 'pools'>;

function nameOf(cluster: Shards, id: number): string {
  return cluster.shards.find((s) => s.id === id)?.name ?? `shard #${id}`;
}

function groupByShard(router: Router, ids: readonly string[]): Map<number, string[]> {
  const by = new Map<number, string[]>();
  for (const id of ids) {
    const shard = router.shardFor(id);
    by.set(shard, [...(by.get(shard) ?? []), id]);
  }
  return by;
}

/** The shard a lookup value (a username, an e-mail) lives on: its lower-cased text on the ring. */
export const lookupShard = (router: Router, value: string): number => router.routeHash(ringHash(value.toLowerCase())).shard_id;

export async function conversationMap(cluster: Shards, router: Router, rawId: string): Promise<ConversationMap> {
  const { id, shard } = locate(router, rawId, 'conversation');
  const home = await cluster.pools.onShard(shard, async (pool) => {
    const c = await pool.query<{ title: string; created_at: Date | string }>('SELECT title, created_at FROM conversations WHERE id = $1', [id]);
    const members = await pool.query<{ user_id: string }>('SELECT user_id FROM conversation_members WHERE conversation_id = $1 ORDER BY joined_at, user_id', [
      id,
    ]);
    const senders = await pool.query<{ sender_id: string | null; n: string }>(
      'SELECT sender_id, count(*) AS n FROM messages WHERE conversation_id = $1 GROUP BY sender_id',
      [id],
    );
    return { conversation: c.rows[0], members: members.rows.map((r) => r.user_id), senders: senders.rows };
  });
  if (!home.conversation) throw new NotFoundError(`No conversation ${id} on ${nameOf(cluster, shard)}, the shard its id routes to.`, { id });
  const sent = new Map(home.senders.map((s) => [s.sender_id, Number(s.n)]));

  const found = new Map<string, { name: string; inbox: boolean; usernames: string[] }>();
  await Promise.all(
    [...groupByShard(router, home.members)].map(([userShard, ids]) =>
      cluster.pools.onShard(userShard, async (pool) => {
        const { rows } = await pool.query<{ id: string; name: string; inbox: boolean; usernames: string[] }>(
          `SELECT u.id, u.first_name || ' ' || u.last_name AS name,
                  EXISTS (SELECT 1 FROM user_conversations uc WHERE uc.user_id = u.id AND uc.conversation_id = $2) AS inbox,
                  ARRAY(SELECT a.username FROM accounts a WHERE a.user_id = u.id ORDER BY a.username) AS usernames
             FROM users u WHERE u.id = ANY($1::uuid[])`,
          [ids, id],
        );
        for (const r of rows) found.set(r.id, r);
      }),
    ),
  );

  const usernames = [...found.values()].flatMap((f) => f.usernames);
  const confirmed = new Map<string, boolean>();
  await Promise.all(
    [...groupByLookupShard(router, usernames)].map(([s, names]) =>
      cluster.pools.onShard(s, async (pool) => {
        const { rows } = await pool.query<{ username: string; confirmed: boolean }>(
          'SELECT username, confirmed FROM username_lookup WHERE username = ANY($1::text[])',
          [names.map((n) => n.toLowerCase())],
        );
        for (const r of rows) confirmed.set(r.username, r.confirmed);
      }),
    ),
  );

  const members = home.members.map((userId): MemberPlacement => {
    const f = found.get(userId);
    const userShard = nameOf(cluster, router.shardFor(userId));
    return {
      user_id: userId,
      member_shard: nameOf(cluster, shard),
      user_shard: userShard,
      user_exists: f !== undefined,
      name: f?.name ?? null,
      inbox_row: f?.inbox ?? false,
      messages: sent.get(userId) ?? 0,
      usernames: (f?.usernames ?? []).map((u) => ({
        username: u,
        account_shard: userShard,
        lookup_shard: nameOf(cluster, lookupShard(router, u)),
        lookup_confirmed: confirmed.get(u.toLowerCase()) ?? null,
      })),
    };
  });
  return {
    conversation: { id, title: home.conversation.title, created_at: new Date(home.conversation.created_at).toISOString(), shard: nameOf(cluster, shard) },
    members,
    messages: { shard: nameOf(cluster, shard), total: [...sent.values()].reduce((a, b) => a + b, 0), without_sender: sent.get(null) ?? 0 },
  };
}

export interface TitledConversations {
  found: ConversationMap[];
  /** Shards that did not answer while a conversation's members were followed. */
  unreachable: string[];
}

/**
 * Every conversation with this title, wherever it lives, each read whole as above. A title is what a learner
 * names a conversation by; it is not unique, so every match is followed.
 */
export async function conversationsTitled(cluster: Shards, router: Router, title: string): Promise<TitledConversations> {
  const ids = await Promise.all(
    cluster.shards.map((s) =>
      cluster.pools.onShard(s.id, async (pool) =>
        (await pool.query<{ id: string }>('SELECT id::text AS id FROM conversations WHERE title = $1', [title])).rows.map((r) => r.id),
      ),
    ),
  );
  const found: ConversationMap[] = [];
  const unreachable = new Set<string>();
  for (const id of ids.flat()) {
    try {
      found.push(await conversationMap(cluster, router, id));
    } catch (err) {
      // A row on a shard its id does not route to (left behind by a faithful reshard) is out of the messenger's reach too.
      if (err instanceof NotFoundError) continue;
      if (!(err instanceof ShardUnavailableError)) throw err;
      unreachable.add(err.shardName);
    }
  }
  return { found, unreachable: [...unreachable].sort() };
}

/** The members of these conversations whose user still exists under this name ("Ada Lovelace"), once each. */
export function membersNamed(found: readonly ConversationMap[], name: string): MemberPlacement[] {
  const byId = new Map(
    found
      .flatMap((c) => c.members)
      .filter((m) => m.user_exists && m.name === name)
      .map((m) => [m.user_id, m]),
  );
  return [...byId.values()];
}

function groupByLookupShard(router: Router, values: readonly string[]): Map<number, string[]> {
  const by = new Map<number, string[]>();
  for (const v of values) {
    const s = lookupShard(router, v);
    by.set(s, [...(by.get(s) ?? []), v]);
  }
  return by;
}
