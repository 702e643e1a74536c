import type { Cluster } from '../cluster/cluster.js';
import { ShardUnavailableError } from '../cluster/errors.js';
import type { Router } from '../sharding/router.js';

/**
 * The orphan audit: every reference that crosses shards, followed to the shard its target lives on. No foreign
 * key guards these, so this is how the lab proves the application and the outbox kept them right (or finds
 * the ones they did not).
 */

export interface ReferenceReport {
  reference: string;
  /** Who keeps it right: the lab's answer to "which strategy does this reference need". */
  kept_by: string;
  checked: number;
  dangling: number;
  /** A few dangling references: the row that points, where it lives, and what it points at. */
  sample: { from_shard: string; row: string; missing: string; expected_on: string }[];
}

export interface ReferenceAudit {
  references: ReferenceReport[];
  total_dangling: number;
  /** Shards that did not answer: the audit is incomplete while any is listed. */
  unreachable: string[];
}

type Shards = Pick<Cluster, 'shards' | 'pools'>;
const SAMPLE = 5;

interface Edge {
  from_shard: string;
  row: string;
  target: string;
}

interface Spec {
  reference: string;
  kept_by: string;
  /** The pointing rows on one shard, as (row description, target value). */
  sources: string;
  /** The target's key column: returns the targets that exist among $1. */
  targets: string;
  shardOf(router: Router, target: string): number;
}

const SPECS: Spec[] = [
  {
    reference: 'conversation_members.user_id → users.id',
    kept_by: 'the API checks each member on their shard before writing; the outbox removes a deleted user',
    sources: `SELECT 'member of ' || conversation_id AS row, user_id::text AS target FROM conversation_members`,
    targets: 'SELECT id::text AS t FROM users WHERE id = ANY($1::uuid[])',
    shardOf: (r, t) => r.shardFor(t),
  },
  {
    reference: 'user_conversations.conversation_id → conversations.id',
    kept_by: 'written by the conversation.created event; a user deleted since is taken out again',
    sources: `SELECT 'inbox of ' || user_id AS row, conversation_id::text AS target FROM user_conversations`,
    targets: 'SELECT id::text AS t FROM conversations WHERE id = ANY($1::uuid[])',
    shardOf: (r, t) => r.shardFor(t),
  },
  {
    reference: 'username_lookup.account_id → accounts.id (confirmed claims)',
    kept_by: 'claim → create → confirm; the user.deleted event frees the name',
    sources: `SELECT 'username ' || username AS row, user_id::text || ' ' || account_id::text AS target FROM username_lookup WHERE confirmed`,
    targets: `SELECT user_id::text || ' ' || id::text AS t FROM accounts WHERE (user_id::text || ' ' || id::text) = ANY($1::text[])`,
    shardOf: (r, t) => r.shardFor(t.split(' ')[0]!),
  },
];

async function onEvery<T>(cluster: Shards, unreachable: Set<string>, fn: (shard: { id: number; name: string }) => Promise<T[]>): Promise<T[]> {
  const parts = await Promise.all(
    cluster.shards.map(async (s) => {
      try {
        return await fn(s);
      } catch (err) {
        if (!(err instanceof ShardUnavailableError)) throw err;
        unreachable.add(s.name);
        return [];
      }
    }),
  );
  return parts.flat();
}

async function auditOne(cluster: Shards, router: Router, spec: Spec, unreachable: Set<string>): Promise<ReferenceReport> {
  const edges = await onEvery<Edge>(cluster, unreachable, (s) =>
    cluster.pools.onShard(s.id, async (pool) =>
      (await pool.query<{ row: string; target: string }>(spec.sources)).rows.map((r) => ({ ...r, from_shard: s.name })),
    ),
  );
  const byShard = new Map<number, Set<string>>();
  for (const e of edges) {
    const shard = spec.shardOf(router, e.target);
    byShard.set(shard, (byShard.get(shard) ?? new Set()).add(e.target));
  }
  const existing = new Set<string>();
  const unknown = new Set<number>();
  await Promise.all(
    [...byShard].map(async ([shard, targets]) => {
      try {
        const { rows } = await cluster.pools.onShard(shard, (pool) => pool.query<{ t: string }>(spec.targets, [[...targets]]));
        for (const r of rows) existing.add(r.t);
      } catch (err) {
        if (!(err instanceof ShardUnavailableError)) throw err;
        unreachable.add(err.shardName);
        unknown.add(shard);
      }
    }),
  );
  const name = (id: number) => cluster.shards.find((s) => s.id === id)?.name ?? `shard #${id}`;
  const dangling = edges.filter((e) => !existing.has(e.target) && !unknown.has(spec.shardOf(router, e.target)));
  return {
    reference: spec.reference,
    kept_by: spec.kept_by,
    checked: edges.length,
    dangling: dangling.length,
    sample: dangling
      .slice(0, SAMPLE)
      .map((e) => ({ from_shard: e.from_shard, row: e.row, missing: e.target, expected_on: name(spec.shardOf(router, e.target)) })),
  };
}

export async function auditReferences(cluster: Shards, router: Router): Promise<ReferenceAudit> {
  const unreachable = new Set<string>();
  const references = await Promise.all(SPECS.map((s) => auditOne(cluster, router, s, unreachable)));
  return { references, total_dangling: references.reduce((n, r) => n + r.dangling, 0), unreachable: [...unreachable].sort() };
}
