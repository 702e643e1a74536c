import { setTimeout as sleep } from 'node:timers/promises';
import { v7 as uuidv7 } from 'uuid';
import type { Cluster } from '../cluster/cluster.js';
import { UnknownReferenceError } from '../domain/errors.js';
import type { Messenger } from '../messenger/messenger.js';
import { outboxBacklog } from '../messenger/outbox/outbox.js';
import { isForeignKeyViolation } from '../data/prisma.js';
import type { Router } from '../sharding/router.js';
import { listRuns, recordRun } from './records.js';
import type { RACE_MODES } from '../contracts/references.js';

/**
 * "Check, then write" against a concurrent delete, run many times at once. Each round creates a user, starts a
 * conversation with them and, halfway through the window, deletes them.
 *
 * - naive: what the original's guide sketches — look the user up on their shard, wait `window_ms` (the gap a
 *   slow request has anyway, widened on purpose so the race is reproducible), write the conversation and its
 *   member rows, then each member's inbox row; no lock. A delete inside the window finds no inbox row, so its
 *   cleanup event does not know the conversation, and the inbox write then fails on the user's own foreign
 *   key — too late: the membership on the other shard dangles, an orphan.
 * - correct: the messenger's own `POST /api/v1/conversations` path (check, write with an outbox event, inbox
 *   rows under FOR KEY SHARE locks, a vanished member taken out again). Its window is not widened: the lab
 *   cannot pause inside it. Either the delete comes first (422, nothing written) or the cleanup finds it.
 *
 * Orphans are counted from the shards after the outbox has drained.
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

async function naiveRound(d: Deps, owner: string, doomed: string, windowMs: number): Promise<string | null> {
  const userShard = d.router.shardFor(doomed);
  const exists = await d.cluster.pools.onShard(userShard, async (pool) => (await pool.query('SELECT 1 FROM users WHERE id = $1', [doomed])).rowCount === 1);
  if (!exists) return null;
  await sleep(windowMs);
  const id = uuidv7();
  await d.cluster.pools.onShard(d.router.shardFor(id), async (pool) => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('INSERT INTO conversations (id, title, created_at) VALUES ($1, $2, now())', [id, TITLE.naive]);
      await client.query('INSERT INTO conversation_members (conversation_id, user_id, joined_at) VALUES ($1, $2, now()), ($1, $3, now())', [id, owner, doomed]);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  });
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

async function drain(d: Deps): Promise<number> {
  const started = Date.now();
  while ((await outboxBacklog(d.cluster)).total_pending > 0) {
    if (Date.now() - started > DRAIN_LIMIT_MS) break;
    await sleep(100);
  }
  return Date.now() - started;
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
      const write = input.mode === 'naive' ? naiveRound(d, owner, user, input.window_ms) : correctRound(d, owner, user);
      const remove = sleep(input.window_ms / 2).then(() => d.messenger.users.remove(user));
      const [id] = await Promise.all([write, remove]);
      return id;
    }),
  );
  const created = ids.filter((id) => id !== null);
  const drainMs = await drain(d);
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
