import type { Cluster } from '../cluster/cluster.js';
import { ShardUnavailableError } from '../cluster/errors.js';

/**
 * The constraint explorer: what each shard's catalog (pg_constraint) says it enforces, and the references it
 * cannot — the ones that cross shards — with what keeps each of those right instead.
 */

export type ConstraintType = 'primary key' | 'unique' | 'foreign key' | 'check';
export type FkAction = 'no action' | 'restrict' | 'cascade' | 'set null' | 'set default';

export interface CatalogConstraint {
  table: string;
  name: string;
  type: ConstraintType;
  columns: string[];
  /** Foreign keys only: the parent, and what a delete or update of it does to this row. */
  references: { table: string; columns: string[] } | null;
  on_delete: FkAction | null;
  on_update: FkAction | null;
  deferrable: boolean;
  /** As PostgreSQL prints it (pg_get_constraintdef). */
  definition: string;
  /** The shards whose catalog has exactly this constraint: all of them, unless a migration is half applied. */
  shards: string[];
}

export type KeptBy = 'database' | 'lookup table' | 'application' | 'events' | 'copy';

export interface CrossShardReference {
  reference: string;
  kept_by: KeptBy;
  how: string;
  /** The lab route that breaks it on purpose, to watch what keeps it. */
  break_it: { method: 'POST'; path: string; body: Record<string, unknown> };
}

export interface ConstraintMap {
  constraints: CatalogConstraint[];
  cross_shard: CrossShardReference[];
  /** Shards that did not answer: their catalogs are not in the list. */
  unreachable: string[];
}

const TYPES: Record<string, ConstraintType> = { p: 'primary key', u: 'unique', f: 'foreign key', c: 'check' };
const ACTIONS: Record<string, FkAction> = { a: 'no action', r: 'restrict', c: 'cascade', n: 'set null', d: 'set default' };

/** The lab route that breaks a reference on purpose: a POST under /lab/v1/references/. */
const breakIt = (action: string, body: Record<string, unknown> = {}): CrossShardReference['break_it'] => ({
  method: 'POST',
  path: `/lab/v1/references/${action}`,
  body,
});

/** What no catalog holds: each reference that crosses shards, and the strategy that keeps it (docs/references.md). */
export const CROSS_SHARD: readonly CrossShardReference[] = [
  {
    reference: 'conversation_members.user_id → users.id',
    kept_by: 'application',
    how: 'POST /api/v1/conversations looks every member up on their shard and locks them (FOR KEY SHARE) while it writes',
    break_it: breakIt('race', { mode: 'naive', rounds: 10, window_ms: 200 }),
  },
  {
    reference: 'conversation_members.user_id after DELETE /api/v1/users/:id',
    kept_by: 'events',
    how: "the delete writes user.deleted into its shard's outbox; the processor removes the memberships on the conversations' shards",
    break_it: breakIt('outbox-drill'),
  },
  {
    reference: 'username_lookup.username → accounts.username (unique across shards)',
    kept_by: 'lookup table',
    how: "every claim is an INSERT on the name's shard, where one primary key decides; pending until the account exists, then confirmed",
    break_it: breakIt('username-race', { username: 'explorer', claims: 50 }),
  },
  {
    reference: "username_lookup.account_id → accounts.id (a claim names an account on its owner's shard)",
    kept_by: 'application',
    how: 'claim, create, confirm; a claim left pending by a crash expires and the next claimant settles it: confirmed if the account exists, fenced and handed over if not',
    break_it: breakIt('claim-walkthrough', { crash: 'after-claim' }),
  },
  {
    reference: 'user_conversations.title ← conversations.title',
    kept_by: 'copy',
    how: 'the inbox row carries the title, so listing an inbox reads one shard; a copy has nothing to break, only a value that may be old',
    break_it: breakIt('sample-conversation', { title: 'Copied title', shards: 3 }),
  },
  {
    reference: 'messages.conversation_id → conversations.id',
    kept_by: 'database',
    how: 'co-located: both are keyed by conversation_id, so the foreign key is an ordinary one on one shard',
    break_it: breakIt('fk-demo', { scenario: 'orphan-message' }),
  },
  {
    reference: 'messages.sender_id → users.id (another shard)',
    kept_by: 'database',
    how: 'not declarable across shards (the cross-shard demonstration shows the refusal); the sender references the membership instead, on the same shard, ON DELETE SET NULL',
    break_it: breakIt('fk-demo', { scenario: 'cross-shard' }),
  },
];

interface Row {
  table: string;
  name: string;
  contype: string;
  columns: string[];
  ref_table: string | null;
  ref_columns: string[] | null;
  confdeltype: string;
  confupdtype: string;
  deferrable: boolean;
  definition: string;
}

const CATALOG = `
  SELECT c.relname AS table, k.conname AS name, k.contype::text AS contype,
         ARRAY(SELECT a.attname::text FROM unnest(k.conkey) WITH ORDINALITY AS u(n, i) JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY u.i) AS columns,
         r.relname AS ref_table,
         CASE WHEN k.confrelid = 0 THEN NULL ELSE
           ARRAY(SELECT a.attname::text FROM unnest(k.confkey) WITH ORDINALITY AS u(n, i) JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n ORDER BY u.i) END AS ref_columns,
         k.confdeltype::text AS confdeltype, k.confupdtype::text AS confupdtype, k.condeferrable AS deferrable,
         pg_get_constraintdef(k.oid) AS definition
    FROM pg_constraint k
    JOIN pg_class c ON c.oid = k.conrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_class r ON r.oid = k.confrelid
   WHERE n.nspname = 'public' AND k.contype IN ('p', 'u', 'f', 'c') AND NOT c.relispartition
   ORDER BY c.relname, k.contype, k.conname`;

export async function constraintMap(cluster: Pick<Cluster, 'shards' | 'pools'>): Promise<ConstraintMap> {
  const unreachable: string[] = [];
  const perShard = await Promise.all(
    cluster.shards.map(async (s) => {
      try {
        return { shard: s.name, rows: await cluster.pools.onShard(s.id, async (pool) => (await pool.query<Row>(CATALOG)).rows) };
      } catch (err) {
        if (!(err instanceof ShardUnavailableError)) throw err;
        unreachable.push(s.name);
        return { shard: s.name, rows: [] };
      }
    }),
  );
  const merged = new Map<string, CatalogConstraint>();
  for (const { shard, rows } of perShard) {
    for (const r of rows) {
      const key = `${r.table}\u0000${r.name}\u0000${r.definition}`;
      const seen = merged.get(key);
      if (seen) {
        seen.shards.push(shard);
        continue;
      }
      const fk = r.contype === 'f';
      merged.set(key, {
        table: r.table,
        name: r.name,
        type: TYPES[r.contype]!,
        columns: r.columns,
        references: fk && r.ref_table ? { table: r.ref_table, columns: r.ref_columns ?? [] } : null,
        on_delete: fk ? (ACTIONS[r.confdeltype] ?? null) : null,
        on_update: fk ? (ACTIONS[r.confupdtype] ?? null) : null,
        deferrable: r.deferrable,
        definition: r.definition,
        shards: [shard],
      });
    }
  }
  return { constraints: [...merged.values()], cross_shard: [...CROSS_SHARD], unreachable };
}
