import type pg from 'pg';
import type { Cluster } from '../cluster/cluster.js';
import { ShardRemovedError, ShardUnavailableError } from '../cluster/errors.js';
import { Md5Ring } from '../sharding/md5-ring.js';
import { Modulo } from '../sharding/modulo.js';
import type { Router } from '../sharding/router.js';

/** Where rows live against where the ring in force says they belong. */
export interface PlacementReport {
  ring_version: number | null;
  strategy: string;
  shards: ShardPlacement[];
  total_rows: number;
  total_misplaced: number;
}

export interface ShardPlacement {
  shard_name: string;
  in_ring: boolean;
  reachable: boolean;
  /** Per table that has a ring_hash column. */
  tables: { table: string; rows: number; misplaced: number }[];
  rows: number;
  misplaced: number;
  /** A few ids of misplaced users with the shard the ring sends them to: a GET by id for them misses. */
  sample: { id: string; routes_to: string }[];
}

/** Which hashes a shard owns: inclusive ranges on a ring, or one residue under modulo. */
type Ownership = { kind: 'ranges'; starts: number[]; ends: number[] } | { kind: 'residue'; modulus: number; residue: number } | { kind: 'none' };

/**
 * Counts, on every shard, the rows of each table with a `ring_hash` column and how many of them the current
 * ring routes to another shard ("orphans" after a resize that moved nothing). Uses the ring_hash index:
 * one range count per owned arc, so it stays cheap on millions of rows.
 */
export async function auditPlacement(cluster: Pick<Cluster, 'shards' | 'pools'>, router: Router, ringVersion: number | null): Promise<PlacementReport> {
  const audited = await Promise.all(
    cluster.shards.map(async (shard): Promise<ShardPlacement | null> => {
      const own = ownership(router, shard.name);
      const base = { shard_name: shard.name, in_ring: router.names.includes(shard.name) };
      try {
        return await cluster.pools.onShard(shard.id, async (pool) => ({ ...base, reachable: true, ...(await auditShard(pool, own, router)) }));
      } catch (err) {
        // Removed during the audit (a removal's last step, a lab reset): no longer part of the answer.
        if (err instanceof ShardRemovedError) return null;
        if (!(err instanceof ShardUnavailableError)) throw err;
        return { ...base, reachable: false, tables: [], rows: 0, misplaced: 0, sample: [] };
      }
    }),
  );
  const shards = audited.filter((s) => s !== null);
  return {
    ring_version: ringVersion,
    strategy: router.strategy.name,
    shards,
    total_rows: shards.reduce((n, s) => n + s.rows, 0),
    total_misplaced: shards.reduce((n, s) => n + s.misplaced, 0),
  };
}

function ownership(router: Router, name: string): Ownership {
  const { strategy } = router;
  if (!router.names.includes(name)) return { kind: 'none' };
  if (strategy instanceof Md5Ring) {
    // Arc owners are positions; the router turns a hash into a name, so ask it for each arc's start.
    const arcs = strategy.arcs().filter((a) => router.routeHash(a.start).shard_name === name);
    return { kind: 'ranges', starts: arcs.map((a) => a.start), ends: arcs.map((a) => a.end) };
  }
  if (strategy instanceof Modulo) {
    const residue = router.names.indexOf(name);
    return { kind: 'residue', modulus: strategy.shardCount, residue };
  }
  throw new Error(`placement audit does not know strategy ${strategy.name}`);
}

async function auditShard(pool: pg.Pool, own: Ownership, router: Router): Promise<Omit<ShardPlacement, 'shard_name' | 'in_ring' | 'reachable'>> {
  // A partitioned table counts once, by its own name: its partitions' rows are its rows.
  const { rows: tables } = await pool.query<{ table_name: string }>(
    `SELECT c.relname AS table_name FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
      WHERE c.relnamespace = 'public'::regnamespace AND a.attname = 'ring_hash' AND NOT a.attisdropped
        AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1`,
  );
  const counts = [];
  for (const { table_name } of tables) {
    const t = quoteIdent(table_name);
    const { rows } = await pool.query<{ total: string; owned: string }>(ownedCountSql(t, own), ownedParams(own));
    const total = Number(rows[0]?.total ?? 0);
    counts.push({ table: table_name, rows: total, misplaced: total - Number(rows[0]?.owned ?? 0) });
  }
  const users = counts.find((c) => c.table === 'users');
  const sample = users && users.misplaced > 0 ? await misplacedSample(pool, own, router) : [];
  return { tables: counts, rows: counts.reduce((n, c) => n + c.rows, 0), misplaced: counts.reduce((n, c) => n + c.misplaced, 0), sample };
}

function ownedCountSql(table: string, own: Ownership): string {
  switch (own.kind) {
    case 'ranges':
      return `SELECT (SELECT count(*) FROM ${table}) AS total,
                     (SELECT coalesce(sum(c), 0) FROM unnest($1::bigint[], $2::bigint[]) AS r(s, e),
                        LATERAL (SELECT count(*) AS c FROM ${table} WHERE ring_hash BETWEEN r.s AND r.e) x) AS owned`;
    case 'residue':
      return `SELECT count(*) AS total, count(*) FILTER (WHERE ring_hash % $1 = $2) AS owned FROM ${table}`;
    case 'none':
      return `SELECT count(*) AS total, 0 AS owned FROM ${table}`;
  }
}

function ownedParams(own: Ownership): unknown[] {
  if (own.kind === 'ranges') return [own.starts, own.ends];
  if (own.kind === 'residue') return [own.modulus, own.residue];
  return [];
}

async function misplacedSample(pool: pg.Pool, own: Ownership, router: Router): Promise<ShardPlacement['sample']> {
  const where =
    own.kind === 'ranges'
      ? `NOT EXISTS (SELECT 1 FROM unnest($1::bigint[], $2::bigint[]) AS r(s, e) WHERE u.ring_hash BETWEEN r.s AND r.e)`
      : own.kind === 'residue'
        ? `u.ring_hash % $1 <> $2`
        : 'true';
  const { rows } = await pool.query<{ id: string; ring_hash: string }>(
    `SELECT u.id, u.ring_hash FROM users u WHERE ${where} ORDER BY u.created_at DESC LIMIT 3`,
    ownedParams(own),
  );
  return rows.map((r) => ({ id: r.id, routes_to: router.routeHash(Number(r.ring_hash)).shard_name }));
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
