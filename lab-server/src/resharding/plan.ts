import type { Cluster } from '../cluster/cluster.js';
import type { ShardSpec } from '../cluster/topology-store.js';
import { movedFraction, movedRanges } from '../sharding/movement.js';
import type { Router } from '../sharding/router.js';
import { rangeArrays } from './ranges.js';
import { ident, movableTables } from './tables.js';
import type { HashRange } from '../sharding/write-gate.js';

export interface ShardRef {
  id: number;
  name: string;
}

/** One contiguous hash range changing owner, with the rows it holds now. */
export interface PlannedMove extends HashRange {
  from: ShardRef;
  to: ShardRef;
  rows: number;
}

/** Rows moving from one shard to another: one publication/subscription pair carries them. */
export interface Stream {
  from: ShardRef;
  to: ShardRef;
  ranges: HashRange[];
  rows: number;
}

export interface ReshardPlan {
  shards_before: string[];
  shards_after: string[];
  tables: string[];
  moves: PlannedMove[];
  streams: Stream[];
  rows_by_table: Record<string, number>;
  total_rows: number;
  /** Exact fraction of the hash space that changes owner. */
  moved_fraction: number;
  shares_before: { shard: string; share: number }[];
  shares_after: { shard: string; share: number }[];
}

/**
 * What changing from `before` to `after` would move: the hash ranges (exact, from the two rings), and how many
 * rows of every movable table sit in them now (counted on the shards that hold them).
 */
export async function planReshard(
  cluster: Pick<Cluster, 'specs' | 'shard' | 'pools'>,
  before: Router,
  after: Router,
  afterSpecs: ShardSpec[],
): Promise<ReshardPlan> {
  const ref = (names: readonly string[], specs: { id: number; name: string }[], idx: number): ShardRef => {
    const name = names[idx]!;
    return { id: specs.find((s) => s.name === name)!.id, name };
  };
  const beforeSpecs = cluster.specs();
  const ranges = movedRanges(before.strategy, after.strategy, before.names, after.names);
  const anySource = cluster.shard(beforeSpecs[0]!.id);
  const tables = await movableTables(anySource.pool);
  const moves: PlannedMove[] = ranges.map((r) => ({
    start: r.start,
    end: r.end,
    from: ref(before.names, beforeSpecs, r.from),
    to: ref(after.names, afterSpecs, r.to),
    rows: 0,
  }));
  const rowsByTable: Record<string, number> = Object.fromEntries(tables.map((t) => [t, 0]));
  const bySource = groupBy(moves, (m) => m.from.id);
  await Promise.all(
    [...bySource].map(async ([sourceId, sourceMoves]) => {
      const [starts, ends] = rangeArrays(sourceMoves);
      for (const table of tables) {
        const { rows } = await cluster.pools.onShard(sourceId, (pool) =>
          pool.query<{ i: string; n: string }>(
            `SELECT r.i::text AS i, count(t.ring_hash)::text AS n
             FROM unnest($1::bigint[], $2::bigint[]) WITH ORDINALITY AS r(s, e, i)
             LEFT JOIN ${ident(table)} t ON t.ring_hash BETWEEN r.s AND r.e GROUP BY r.i`,
            [starts, ends],
          ),
        );
        for (const row of rows) {
          const n = Number(row.n);
          sourceMoves[Number(row.i) - 1]!.rows += n;
          rowsByTable[table]! += n;
        }
      }
    }),
  );
  const streams = [...groupBy(moves, (m) => `${m.from.id}->${m.to.id}`).values()].map((ms) => ({
    from: ms[0]!.from,
    to: ms[0]!.to,
    ranges: ms.map(({ start, end }) => ({ start, end })),
    rows: ms.reduce((n, m) => n + m.rows, 0),
  }));
  const shares = (r: Router) => r.strategy.shares().map((share, i) => ({ shard: r.names[i]!, share }));
  return {
    shards_before: [...before.names],
    shards_after: [...after.names],
    tables,
    moves,
    streams,
    rows_by_table: rowsByTable,
    total_rows: Object.values(rowsByTable).reduce((a, b) => a + b, 0),
    moved_fraction: movedFraction(before.strategy, after.strategy, before.names, after.names),
    shares_before: shares(before),
    shares_after: shares(after),
  };
}

function groupBy<T, K>(items: T[], key: (t: T) => K): Map<K, T[]> {
  const m = new Map<K, T[]>();
  for (const it of items) m.set(key(it), [...(m.get(key(it)) ?? []), it]);
  return m;
}
