import { setTimeout as sleep } from 'node:timers/promises';
import type { Cluster } from '../cluster/cluster.js';
import { ShardUnavailableError } from '../cluster/errors.js';
import { ConflictError } from '../domain/errors.js';
import type { Messenger } from '../messenger/messenger.js';
import type { Router } from '../sharding/router.js';
import { DEMO_SCHEMA } from './fk-demo.js';

/**
 * A shard killed in the middle of a deleted user's cleanup. The lab builds a conversation on one shard with a
 * member who lives on another, kills the conversation's shard, deletes the member, and then watches the
 * `user.deleted` event on the member's shard: it fails against the dead shard and waits (pending, retried with
 * backoff); once the shard is started again it is delivered and the membership goes. Every step is read from
 * the shards, and the orphans are counted at the end.
 */

export interface DrillStep {
  /** ms since the drill started. */
  at_ms: number;
  what: string;
}

export interface OutboxDrillResult {
  user_id: string;
  user_shard: string;
  conversation_id: string;
  conversation_shard: string;
  event_id: string;
  /** What the event's row said while the conversation's shard was down. */
  while_down: { pending: boolean; attempts: number; last_error: string | null };
  /** Whether the event reached outbox_delivered after the shard came back. */
  delivered: boolean;
  attempts: number;
  /** From the delete's commit to the event applied, ms: how long the membership dangled. */
  lag_ms: number | null;
  /** Member rows of the conversation whose user is gone, counted after delivery. */
  orphans: number;
  steps: DrillStep[];
}

type Deps = {
  cluster: Pick<Cluster, 'shards' | 'pools' | 'faults'>;
  router: Router;
  messenger: Pick<Messenger, 'users' | 'conversations'>;
};

const TITLE = 'Outbox drill';
/** Conversation ids are random: a few tries find one whose shard is not the member's. */
const PLACEMENT_TRIES = 20;
/** The first failed attempt comes within a poll; the retry after the restart waits out a backoff of a few seconds. */
const FAIL_LIMIT_MS = 30_000;
const DELIVER_LIMIT_MS = 90_000;

interface EventRow {
  id: string;
  attempts: number;
  last_error: string | null;
}

async function eventFor(d: Deps, shard: number, userId: string): Promise<EventRow | null> {
  return d.cluster.pools.onShard(shard, async (pool) => {
    const { rows } = await pool.query<EventRow>(
      `SELECT id::text, attempts, last_error FROM outbox WHERE topic = 'user.deleted' AND payload->>'user_id' = $1 ORDER BY id DESC LIMIT 1`,
      [userId],
    );
    return rows[0] ?? null;
  });
}

async function deliveredRow(d: Deps, shard: number, id: string): Promise<{ attempts: number; lag_ms: number } | null> {
  return d.cluster.pools.onShard(shard, async (pool) => {
    const { rows } = await pool.query<{ attempts: number; lag_ms: number }>(
      `SELECT attempts, round(extract(epoch FROM delivered_at - created_at) * 1000)::int AS lag_ms FROM outbox_delivered WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  });
}

async function until<T>(limitMs: number, what: string, probe: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const found = await probe().catch((err: unknown) => {
      if (err instanceof ShardUnavailableError) return null;
      throw err;
    });
    if (found !== null) return found;
    if (Date.now() > deadline)
      throw new ConflictError('drill_stalled', `The drill waited ${limitMs / 1000} s for ${what}; nothing was lost, look at GET /lab/v1/references/outbox.`);
    await sleep(100);
  }
}

export async function runOutboxDrill(d: Deps): Promise<OutboxDrillResult> {
  if (d.cluster.shards.length < 2) throw new ConflictError('too_few_shards', 'The drill needs two shards: one for the member, one for the conversation.');
  // Asked before anything is written: the drill must be able to stop and start whichever shard the conversation lands on.
  const foreign = d.cluster.shards.filter((s) => !s.server).map((s) => s.name);
  if (foreign.length > 0) throw new ConflictError('not_embedded', `${foreign.join(', ')} are not servers this lab runs, so the drill cannot stop one.`);
  const t0 = Date.now();
  const steps: DrillStep[] = [];
  const note = (what: string) => steps.push({ at_ms: Date.now() - t0, what });
  const name = (id: number) => d.cluster.shards.find((s) => s.id === id)?.name ?? `shard ${id}`;

  const partner = (await d.messenger.users.create({ first_name: 'Drill', last_name: 'Partner' })).value.id;
  const member = await d.messenger.users.create({ first_name: 'Drill', last_name: 'Member' });
  const userShard = d.router.shardFor(member.value.id);
  let conversation: string | null = null;
  for (let i = 0; i < PLACEMENT_TRIES && conversation === null; i++) {
    const c = await d.messenger.conversations.create({ title: TITLE, member_ids: [partner, member.value.id] });
    if (d.router.shardFor(c.id) !== userShard) conversation = c.id;
  }
  if (conversation === null) throw new ConflictError('not_placed', `${PLACEMENT_TRIES} conversations all landed on the member's shard; run the drill again.`);
  const convShard = d.router.shardFor(conversation);
  const server = d.cluster.shards.find((s) => s.id === convShard)!.server!;
  note(`Member ${member.value.id} lives on ${name(userShard)}; conversation ${conversation} and its member rows on ${name(convShard)}.`);

  await d.cluster.faults.signal(convShard, 'SIGKILL');
  try {
    note(`Killed ${name(convShard)} (SIGKILL).`);
    await d.messenger.users.remove(member.value.id);
    note(`Deleted the member: the user row is gone from ${name(userShard)} and a user.deleted event waits in its outbox.`);
    const failed = await until(FAIL_LIMIT_MS, 'the event to fail against the stopped shard', async () => {
      const e = await eventFor(d, userShard, member.value.id);
      return e && e.attempts > 0 && e.last_error ? e : null;
    });
    note(`The event tried ${failed.attempts} time(s) and stays pending: ${failed.last_error}`);
    await d.cluster.faults.restart(convShard);
    note(`Started ${name(convShard)} again.`);
    const done = await until(DELIVER_LIMIT_MS, 'the event to be delivered', () => deliveredRow(d, userShard, failed.id));
    note(`Delivered after ${done.attempts} attempt(s), ${done.lag_ms} ms after the delete.`);
    const orphans = await d.cluster.pools.onShard(convShard, async (pool) => {
      const { rows } = await pool.query<{ user_id: string }>('SELECT user_id::text FROM conversation_members WHERE conversation_id = $1', [conversation]);
      return (await d.messenger.users.missingIds(rows.map((r) => r.user_id))).length;
    });
    note(`${orphans} member row(s) of the conversation point at a user who is gone.`);
    const result: OutboxDrillResult = {
      user_id: member.value.id,
      user_shard: name(userShard),
      conversation_id: conversation,
      conversation_shard: name(convShard),
      event_id: failed.id,
      while_down: { pending: true, attempts: failed.attempts, last_error: failed.last_error },
      delivered: true,
      attempts: done.attempts,
      lag_ms: done.lag_ms,
      orphans,
      steps,
    };
    await record(d, result);
    return result;
  } finally {
    // Whatever happened above, the learner's cluster gets its shard back.
    if (!server.pid) await d.cluster.faults.restart(convShard);
  }
}

/** Kept beside the demonstrations' records (on the first shard), for the chapter's check. */
async function record(d: Deps, r: OutboxDrillResult): Promise<void> {
  await d.cluster.pools.onShard(d.cluster.shards[0]!.id, async (pool) => {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS ${DEMO_SCHEMA}`);
    await pool.query(
      `CREATE TABLE IF NOT EXISTS ${DEMO_SCHEMA}.outbox_drills (id bigserial PRIMARY KEY, attempts_while_down int NOT NULL, delivered boolean NOT NULL,
         lag_ms int, orphans int NOT NULL, at timestamptz NOT NULL DEFAULT now())`,
    );
    await pool.query(`INSERT INTO ${DEMO_SCHEMA}.outbox_drills (attempts_while_down, delivered, lag_ms, orphans) VALUES ($1, $2, $3, $4)`, [
      r.while_down.attempts,
      r.delivered,
      r.lag_ms,
      r.orphans,
    ]);
  });
}

export interface DrillRecord {
  attempts_while_down: number;
  delivered: boolean;
  lag_ms: number | null;
  orphans: number;
}

export async function listDrills(cluster: Pick<Cluster, 'shards' | 'pools'>): Promise<DrillRecord[]> {
  const first = cluster.shards[0];
  if (!first) return [];
  return cluster.pools.onShard(first.id, async (pool) => {
    const exists = await pool.query<{ t: string | null }>(`SELECT to_regclass('${DEMO_SCHEMA}.outbox_drills')::text AS t`);
    if (!exists.rows[0]?.t) return [];
    return (await pool.query<DrillRecord>(`SELECT attempts_while_down, delivered, lag_ms, orphans FROM ${DEMO_SCHEMA}.outbox_drills ORDER BY id`)).rows;
  });
}
