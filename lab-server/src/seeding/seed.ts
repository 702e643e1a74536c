import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { v7 as uuidv7 } from 'uuid';
import type { Cluster } from '../cluster/cluster.js';
import { JobCancelledError, throwIfCancelled, type JobContext } from '../jobs/registry.js';
import { ringHash } from '../sharding/hash.js';
import type { Router } from '../sharding/router.js';
import { CopyWriter } from './copy-writer.js';
import { conversationTitle, copyLine, generateUser, messageBody, zipfPicker } from './generate.js';

const BATCH = 5_000;
/** Members are drawn from at most this many users (a uniform sample of the seeded or existing ones). */
const MEMBER_POOL = 50_000;
const DAY_MS = 86_400_000;

export interface SeedPlan {
  users: number;
  conversations?: number;
  messages?: number;
}

export interface SeedResult extends Record<string, unknown> {
  users: number;
  conversations: number;
  messages: number;
  per_shard: { shard_name: string; users: number; conversations: number; messages: number }[];
  seconds: number;
  rows_per_s: number;
}

interface SeedConversation {
  id: string;
  title: string;
  members: string[];
  created_ms: number;
}

/**
 * Generates users, conversations and messages, routes each row by the ring (members and messages by their
 * conversation, inbox rows by their user), and streams them into every shard at once with COPY, parents
 * before children. All shards commit only after all have loaded; a failure or cancel rolls every shard back,
 * so a seed either lands whole or leaves no rows behind. Messages are skewed: a few hot conversations, most quiet.
 */
export async function seed(cluster: Pick<Cluster, 'shards' | 'pools'>, router: Router, plan: SeedPlan, ctx: JobContext): Promise<SeedResult> {
  const started = performance.now();
  const { users, conversations = 0, messages = 0 } = plan;
  const total = users + conversations + messages;
  const writers: CopyWriter[] = [];
  const shardOf = (key: string) => router.routeHash(ringHash(key)).shard_id;
  let done = 0;
  const progress = async (n: number) => {
    done += n;
    ctx.progress(done, total);
    // Writes that do not need to wait resolve as microtasks; yield so HTTP requests (and cancel) get served.
    await yieldToEventLoop();
    throwIfCancelled(ctx.signal);
  };
  /** Writes one batch of lines, each already routed to a shard. */
  const flush = async (chunks: { text: string; rows: number }[]) => Promise.all(writers.map((w, i) => w.write(chunks[i]!.text, chunks[i]!.rows)));
  const emptyChunks = () => writers.map(() => ({ text: '', rows: 0 }));
  try {
    for (const shard of cluster.shards) {
      const client = await cluster.pools.connectBulk(shard.id, 'shard-lab-seed');
      writers.push(await CopyWriter.open(client, shard.name, 'users', ['id', 'first_name', 'last_name', 'email', 'created_at', 'updated_at']));
    }
    const now = Date.now();
    const pool: string[] = [];
    let seen = 0;
    for (let at = 0; at < users; ) {
      const n = Math.min(BATCH, users - at);
      const chunks = emptyChunks();
      for (let i = 0; i < n; i++) {
        const u = generateUser(now);
        const chunk = chunks[shardOf(u.id)]!;
        chunk.text += copyLine([u.id, u.first_name, u.last_name, u.email, u.created_at, u.created_at]);
        chunk.rows++;
        // Reservoir sampling: every seeded user is equally likely to end up in the member pool.
        const slot = seen++ < MEMBER_POOL ? pool.length : Math.floor(Math.random() * seen);
        if (slot < MEMBER_POOL) pool[slot] = u.id;
      }
      await flush(chunks);
      at += n;
      await progress(n);
    }
    if (conversations === 0) {
      if (messages > 0) throw new Error('messages need conversations: give conversations too');
    } else {
      if (pool.length === 0) pool.push(...(await existingUsers(writers)));
      if (pool.length === 0) throw new Error('conversations need users: give users too, or seed users first');
      await seedConversations(writers, pool, conversations, messages, now, shardOf, flush, emptyChunks, progress);
    }
    await Promise.all(writers.map((w) => w.end()));
    throwIfCancelled(ctx.signal);
    for (const w of writers) await w.commit();
  } catch (err) {
    await Promise.all(writers.map((w) => w.rollback()));
    const landed = writers.filter((w) => w.committed);
    if (landed.length > 0) {
      // Only a shard dying between two COMMITs gets here; say exactly what stayed so nothing is lost silently.
      const where = landed.map((w) => `${w.shardName} (${JSON.stringify(w.rows)})`).join(', ');
      throw new Error(`seed failed after some shards committed; rows kept on ${where}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    if (err instanceof JobCancelledError) throw err;
    throw new Error(
      `${err instanceof Error ? err.message : String(err)}. The seed was rolled back on every shard and kept nothing; run it again once every shard is up.`,
      { cause: err },
    );
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    users,
    conversations,
    messages,
    per_shard: writers.map((w) => ({
      shard_name: w.shardName,
      users: w.rows.users ?? 0,
      conversations: w.rows.conversations ?? 0,
      messages: w.rows.messages ?? 0,
    })),
    seconds: Math.round(seconds * 100) / 100,
    rows_per_s: Math.round(total / seconds),
  };
}

/** A sample of users already on the shards, read inside the seed's own transactions. */
async function existingUsers(writers: CopyWriter[]): Promise<string[]> {
  const per = Math.ceil(MEMBER_POOL / writers.length);
  const lists = await Promise.all(writers.map((w) => w.query<{ id: string }>('SELECT id::text FROM users LIMIT $1', [per])));
  return lists.flat().map((r) => r.id);
}

async function seedConversations(
  writers: CopyWriter[],
  pool: string[],
  count: number,
  messages: number,
  now: number,
  shardOf: (key: string) => number,
  flush: (chunks: { text: string; rows: number }[]) => Promise<unknown>,
  emptyChunks: () => { text: string; rows: number }[],
  progress: (n: number) => Promise<void>,
): Promise<void> {
  const convs: SeedConversation[] = [];
  for (let i = 0; i < count; i++) {
    const size = Math.min(pool.length, 2 + Math.floor(Math.random() * 7));
    const members = new Set<string>();
    while (members.size < size) members.add(pool[Math.floor(Math.random() * pool.length)]!);
    const created_ms = now - Math.floor(Math.random() * 90 * DAY_MS);
    convs.push({ id: uuidv7({ msecs: created_ms }), title: conversationTitle(), members: [...members], created_ms });
  }
  const iso = (ms: number) => new Date(ms).toISOString();
  /** One COPY phase: every writer switches table, then the rows go out in batches, each to its shard. */
  const phase = async (table: string, columns: string[], rows: Iterable<[shard: number, values: string[]]>, counts = false) => {
    await Promise.all(writers.map((w) => w.next(table, columns)));
    let chunks = emptyChunks();
    let n = 0;
    for (const [shard, values] of rows) {
      chunks[shard]!.text += copyLine(values);
      chunks[shard]!.rows++;
      if (++n % BATCH === 0) {
        await flush(chunks);
        chunks = emptyChunks();
        if (counts) await progress(BATCH);
      }
    }
    await flush(chunks);
    if (counts) await progress(n % BATCH);
  };
  await phase(
    'conversations',
    ['id', 'title', 'created_at'],
    (function* () {
      for (const c of convs) yield [shardOf(c.id), [c.id, c.title, iso(c.created_ms)]] as [number, string[]];
    })(),
    true,
  );
  await phase(
    'conversation_members',
    ['conversation_id', 'user_id', 'joined_at'],
    (function* () {
      for (const c of convs) for (const m of c.members) yield [shardOf(c.id), [c.id, m, iso(c.created_ms)]] as [number, string[]];
    })(),
  );
  await phase(
    'user_conversations',
    ['user_id', 'conversation_id', 'title', 'joined_at'],
    (function* () {
      for (const c of convs) for (const m of c.members) yield [shardOf(m), [m, c.id, c.title, iso(c.created_ms)]] as [number, string[]];
    })(),
  );
  const pick = zipfPicker(convs.length);
  await phase(
    'messages',
    ['conversation_id', 'id', 'sender_id', 'body', 'created_at'],
    (function* () {
      for (let i = 0; i < messages; i++) {
        const c = convs[pick()]!;
        const ms = c.created_ms + Math.floor(Math.random() * (now - c.created_ms));
        yield [shardOf(c.id), [c.id, uuidv7({ msecs: ms }), c.members[Math.floor(Math.random() * c.members.length)]!, messageBody(), iso(ms)]] as [
          number,
          string[],
        ];
      }
    })(),
    true,
  );
}
