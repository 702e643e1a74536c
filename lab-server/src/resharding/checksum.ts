import type pg from 'pg';
import { rangeArrays } from './ranges.js';
import { ident } from './tables.js';
import type { HashRange } from '../sharding/write-gate.js';

export interface TableChecksum {
  table: string;
  rows: number;
  /** Sum of a 32-bit hash of every row's full text: order-independent, and any changed value changes it. */
  checksum: string;
}

/** Row count and per-row checksum of a table's rows in the ranges (like Vitess's VDiff, reduced to a sum). */
export async function checksum(db: pg.ClientBase, table: string, ranges: readonly HashRange[]): Promise<TableChecksum> {
  const [starts, ends] = rangeArrays(ranges);
  const { rows } = await db.query<{ rows: string; checksum: string }>(
    `SELECT count(*)::text AS rows, coalesce(sum(('x' || substr(md5(t::text), 1, 8))::bit(32)::bigint), 0)::text AS checksum
     FROM unnest($1::bigint[], $2::bigint[]) AS r(s, e) JOIN ${ident(table)} t ON t.ring_hash BETWEEN r.s AND r.e`,
    [starts, ends],
  );
  return { table, rows: Number(rows[0]!.rows), checksum: rows[0]!.checksum };
}

export async function countInRanges(db: pg.ClientBase, table: string, ranges: readonly HashRange[]): Promise<number> {
  const [starts, ends] = rangeArrays(ranges);
  const { rows } = await db.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM unnest($1::bigint[], $2::bigint[]) AS r(s, e) JOIN ${ident(table)} t ON t.ring_hash BETWEEN r.s AND r.e`,
    [starts, ends],
  );
  return Number(rows[0]!.n);
}

/** Deletes a table's rows in the ranges, one range at a time so no single statement holds locks for long. */
export async function deleteInRanges(db: pg.ClientBase, table: string, ranges: readonly HashRange[]): Promise<number> {
  let deleted = 0;
  for (const r of ranges) {
    const res = await db.query(`DELETE FROM ${ident(table)} WHERE ring_hash BETWEEN $1 AND $2`, [r.start, r.end]);
    deleted += res.rowCount ?? 0;
  }
  return deleted;
}
