import type { Cluster } from '../cluster/cluster.js';
import { ShardUnavailableError } from '../cluster/errors.js';
import { DELIVERED_KEPT } from '../messenger/outbox/outbox.js';

/**
 * The outbox as the learner watches it: per shard, the events still waiting (and why) and the ones delivered,
 * read from the shards' `outbox` and `outbox_delivered` tables. An event is on exactly one of the two.
 */

export type OutboxEventState = 'pending' | 'retrying' | 'delivered';

export interface OutboxEventRow {
  shard: string;
  id: string;
  topic: string;
  /** The user or conversation the event is about. */
  subject: string | null;
  state: OutboxEventState;
  attempts: number;
  created_at: string;
  delivered_at: string | null;
  /** Written to delivered (or to now, while pending), ms: how long the references dangled. */
  age_ms: number;
  last_error: string | null;
}

export interface OutboxShardView {
  shard: string;
  /** false when the shard did not answer: its events are there, but cannot be read until it is back. */
  reachable: boolean;
  pending: number;
  /** Pending events that failed at least once and wait for their retry. */
  retrying: number;
  /** Delivered events still in the shard's history (the newest `kept`). */
  delivered: number;
  /** The longest a delivered event in the history took from written to applied, ms. */
  max_lag_ms: number | null;
  error: string | null;
}

export interface OutboxView {
  shards: OutboxShardView[];
  /** Pending events first, then the newest delivered, newest first within each. */
  events: OutboxEventRow[];
  kept: number;
}

const EVENTS_PER_SHARD = 20;

interface Raw {
  id: string;
  topic: string;
  subject: string | null;
  attempts: number;
  created_at: string;
  delivered_at: string | null;
  age_ms: number;
  last_error: string | null;
}

const SUBJECT = `coalesce(payload->>'user_id', payload->>'conversation_id')`;
/** ISO 8601 in UTC, whatever type parser the pool has for timestamptz. */
const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

export async function outboxView(cluster: Pick<Cluster, 'shards' | 'pools'>): Promise<OutboxView> {
  const perShard = await Promise.all(
    cluster.shards.map(async (s): Promise<{ view: OutboxShardView; events: OutboxEventRow[] }> => {
      try {
        return await cluster.pools.onShard(s.id, async (pool) => {
          const counts = await pool.query<{ pending: number; retrying: number; delivered: number; max_lag_ms: number | null }>(
            `SELECT (SELECT count(*)::int FROM outbox) AS pending,
                    (SELECT count(*)::int FROM outbox WHERE last_error IS NOT NULL) AS retrying,
                    (SELECT count(*)::int FROM outbox_delivered) AS delivered,
                    (SELECT round(max(extract(epoch FROM delivered_at - created_at) * 1000))::int FROM outbox_delivered) AS max_lag_ms`,
          );
          const rows = await pool.query<Raw>(
            `(SELECT id::text, topic, ${SUBJECT} AS subject, attempts, ${iso('created_at')} AS created_at, NULL::text AS delivered_at,
                     round(extract(epoch FROM now() - created_at) * 1000)::int AS age_ms, last_error
                FROM outbox ORDER BY id DESC LIMIT $1)
             UNION ALL
             (SELECT id::text, topic, ${SUBJECT}, attempts, ${iso('created_at')}, ${iso('delivered_at')},
                     round(extract(epoch FROM delivered_at - created_at) * 1000)::int, last_error
                FROM outbox_delivered ORDER BY id DESC LIMIT $1)`,
            [EVENTS_PER_SHARD],
          );
          const c = counts.rows[0]!;
          return {
            view: { shard: s.name, reachable: true, pending: c.pending, retrying: c.retrying, delivered: c.delivered, max_lag_ms: c.max_lag_ms, error: null },
            events: rows.rows.map((r) => ({
              shard: s.name,
              id: r.id,
              topic: r.topic,
              subject: r.subject,
              state: r.delivered_at ? 'delivered' : r.last_error ? 'retrying' : 'pending',
              attempts: r.attempts,
              created_at: r.created_at,
              delivered_at: r.delivered_at,
              age_ms: r.age_ms,
              last_error: r.last_error,
            })),
          };
        });
      } catch (err) {
        if (!(err instanceof ShardUnavailableError)) throw err;
        return {
          view: { shard: s.name, reachable: false, pending: 0, retrying: 0, delivered: 0, max_lag_ms: null, error: err.message },
          events: [],
        };
      }
    }),
  );
  const rank = (e: OutboxEventRow) => (e.state === 'delivered' ? 1 : 0);
  const events = perShard
    .flatMap((p) => p.events)
    .sort((a, b) => rank(a) - rank(b) || b.created_at.localeCompare(a.created_at) || a.shard.localeCompare(b.shard));
  return { shards: perShard.map((p) => p.view), events, kept: DELIVERED_KEPT };
}
