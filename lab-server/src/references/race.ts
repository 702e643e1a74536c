import { setTimeout as sleep } from 'node:timers/promises';
import { v7 as uuidv7 } from 'uuid';
import type { Cluster } from '../cluster/cluster.js';
import { UnavailableError, UnknownReferenceError } from '../domain/errors.js';
import type { Messenger } from '../messenger/messenger.js';
import { isForeignKeyViolation } from '../data/prisma.js';
import { inTransaction } from '../postgres/transaction.js';
import type { Router } from '../sharding/router.js';
import { listRuns, recordRun } from './records.js';
import type { RACE_MODES } from '../contracts/references.js';

/**
 * "Check, then write" against a concurrent delete, run many times at once. Each round creates a user, starts a
 * conversation with them and deletes them while the conversation is being written.
 *
 * - naive: what the original's guide sketches — look the user up on their shard, wait `window_ms` (the gap a
 *   slow request has anyway, widened on purpose so the race is reproducible), write the conversation and its
 *   member rows, then each member's inbox row; no lock. The delete is sent the moment the check has answered,
 *   so it lands in the window whenever it takes less than `window_ms` — however long the check itself queued
 *   behind a load test. It finds no inbox row, so its cleanup event does not know the conversation, and the
 *   inbox write then fails on the user's own foreign key — too late: the membership on the other shard
 *   dangles, an orphan.
 * - correct: the messenger's own `POST /api/v1/conversations` path (check, write with an outbox event, inbox
 *   rows under FOR KEY SHARE locks, a vanished member taken out again). Its window is not widened: the lab
 *   cannot pause inside it, so the delete is sent `window_ms / 2` after the request. Either the delete comes
 *   first (422, nothing written) or the cleanup finds it.
 *
 * Orphans are counted from the shards once the outbox has applied this run's events.
 */

export type RaceMode = (typeof RACE_MODES)[number];

export interface RaceResult {
  mode: RaceMode;
  rounds: number;
  window_ms: number;
  /** Conversations written with the doomed user as a member. */
  created: number;
  /** Requests that found the user already gone and wrote nothing. */
  refused: number;
  /** Member rows, in this run's conversations, whose user no longer exists. */
  orphans: number;
  /** How long the outbox took to drain after the last round, ms. */
  drain_ms: number;
}

type Deps = { cluster: Pick<Cluster, 'shards' | 'pools'>; router: Router; messenger: Pick<Messenger, 'users' | 'conversations'> };

const TITLE: Record<RaceMode, string> = { naive: 'Race (naive check-then-write)', correct: 'Race (the messenger path)' };
const DRAIN_LIMIT_MS = 30_000;

/** One naive round; `remove` deletes the doomed user, and is called once the check has answered. */
async function naiveRound(d: Deps, owner: string, doomed: string, windowMs: number, remove: () => Promise<void>): Promise<string | null> {
  const userShard = d.router.shardFor(doomed);
  const exists = await d.cluster.pools.onShard(userShard, async (pool) => (await pool.query('SELECT 1 FROM users WHERE id = $1', [doomed])).rowCount === 1);
  if (!exists) return null;
  const removed = remove();
  try {
    await sleep(windowMs);
    return await naiveWrite(d, owner, doomed);
  } finally {
    await removed;
  }
}

/** The naive write: the conversation and its members on its shard, then the inbox rows, no lock. */
async function naiveWrite(d: Deps, owner: string, doomed: string): Promise<string> {
  const id = uuidv7();
  await d.cluster.pools.onShard(d.router.shardFor(id), (pool) =>
    inTransaction(pool, 'BEGIN', async (db) => {
      await db.query('INSERT INTO conversations (id, title, created_at) VALUES ($1, $2, now())', [id, TITLE.naive]);
      await db.query('INSERT INTO conversation_members (conversation_id, user_id, joined_at) VALUES ($1, $2, now()), ($1, $3, now())', [id, owner, doomed]);
    }),
  );
  // The inbox rows, each on its member's shard; the naive path ignores a failure here (the user was deleted).
  for (const user of [owner, doomed]) {
    await d.cluster.pools
      .onShard(d.router.shardFor(user), (pool) =>
        pool.query('INSERT INTO user_conversations (user_id, conversation_id, title, joined_at) VALUES ($1, $2, $3, now())', [user, id, TITLE.naive]),
      )
      .catch((err: unknown) => {
        if (!isForeignKeyViolation(err)) throw err;
      });
  }
  return id;
}

async function correctRound(d: Deps, owner: string, doomed: string): Promise<string | null> {
  try {
    return (await d.messenger.conversations.create({ title: TITLE.correct, member_ids: [owner, doomed] })).id;
  } catch (err) {
    if (err instanceof UnknownReferenceError) return null;
    throw err;
  }
}

/** This run's events not yet applied (its users' deletes, its conversations' creations), per shard that holds some. */
async function pendingEvents(d: Deps, users: string[], conversations: string[]): Promise<{ shard: string; pending: number; last_error: string | null }[]> {
  const shards = await Promise.all(
    d.cluster.shards.map((s) =>
      d.cluster.pools.onShard(s.id, async (pool) => {
        const { rows } = await pool.query<{ pending: number; last_error: string | null }>(
          `SELECT count(*)::int AS pending, (array_agg(last_error ORDER BY id DESC) FILTER (WHERE last_error IS NOT NULL))[1] AS last_error FROM outbox
           WHERE payload->>'user_id' = ANY($1::text[]) OR payload->>'conversation_id' = ANY($2::text[])`,
          [users, conversations],
        );
        return { shard: s.name, ...rows[0]! };
      }),
    ),
  );
  return shards.filter((s) => s.pending > 0);
}

/**
 * Waits until the outbox has applied this run's events, so that a member row still being cleaned up is not
 * counted as an orphan. Other traffic's events (a load test's) are not waited for.
 */
export async function drain(d: Deps, users: string[], conversations: string[], limitMs = DRAIN_LIMIT_MS): Promise<number> {
  const started = Date.now();
  for (;;) {
    const pending = await pendingEvents(d, users, conversations);
    if (pending.length === 0) return Date.now() - started;
    if (Date.now() - started >= limitMs) {
      const where = pending.map((p) => `${p.shard} (${p.pending}${p.last_error ? `, last error: ${p.last_error}` : ''})`).join(', ');
      throw new UnavailableError(
        'outbox_behind',
        `The outbox has not applied this run's events within ${limitMs / 1000} s: ${where}. Its orphans cannot be counted yet; see the outbox panel (GET /lab/v1/outbox), then run the race again.`,
        { pending },
      );
    }
    await sleep(100);
  }
}

/** Member rows of these conversations whose user does not exist, each user looked up on their own shard. */
async function countOrphans(d: Deps, conversations: string[]): Promise<number> {
  if (conversations.length === 0) return 0;
  const byShard = new Map<number, string[]>();
  for (const c of conversations) byShard.set(d.router.shardFor(c), [...(byShard.get(d.router.shardFor(c)) ?? []), c]);
  const members = (
    await Promise.all(
      [...byShard].map(([shard, ids]) =>
        d.cluster.pools.onShard(
          shard,
          async (pool) =>
            (
              await pool.query<{ user_id: string }>('SELECT user_id FROM conversation_members WHERE conversation_id = ANY($1::uuid[])', [ids])
            ).rows,
        ),
      ),
    )
  )
    .flat()
    .map((r) => r.user_id);
  return (await d.messenger.users.missingIds(members)).length;
}

export async function runRace(d: Deps, input: { mode: RaceMode; rounds: number; window_ms: number }): Promise<RaceResult> {
  const owner = (await d.messenger.users.create({ first_name: 'Race', last_name: 'Owner' })).value.id;
  const doomed = await Promise.all(
    Array.from({ length: input.rounds }, async () => (await d.messenger.users.create({ first_name: 'Doomed', last_name: 'Member' })).value.id),
  );
  const ids = await Promise.all(
    doomed.map(async (user) => {
      const remove = () => d.messenger.users.remove(user);
      if (input.mode === 'naive') return naiveRound(d, owner, user, input.window_ms, remove);
      const [id] = await Promise.all([correctRound(d, owner, user), sleep(input.window_ms / 2).then(remove)]);
      return id;
    }),
  );
  const created = ids.filter((id) => id !== null);
  const drainMs = await drain(d, doomed, created);
  const result: RaceResult = {
    mode: input.mode,
    rounds: input.rounds,
    window_ms: input.window_ms,
    created: created.length,
    refused: input.rounds - created.length,
    orphans: await countOrphans(d, created),
    drain_ms: drainMs,
  };
  await record(d, result);
  return result;
}

/** Kept beside the demonstrations' records (on the first shard), for the chapter's check and the page's history. */
async function record(d: Deps, r: RaceResult): Promise<void> {
  const { drain_ms: _, ...row } = r;
  await recordRun(
    d.cluster,
    'races',
    'mode text NOT NULL, rounds int NOT NULL, window_ms int NOT NULL, created int NOT NULL, refused int NOT NULL, orphans int NOT NULL',
    row,
  );
}

/** A recorded run, with when it was recorded (after its rounds and the outbox's drain). */
export type RaceRecord = Omit<RaceResult, 'drain_ms'> & { ended_at: string };

export function listRaces(cluster: Pick<Cluster, 'shards' | 'pools'>): Promise<RaceRecord[]> {
  return listRuns<RaceRecord>(cluster, 'races', `mode, rounds, window_ms, created, refused, orphans, to_json(at) #>> '{}' AS ended_at`);
}
