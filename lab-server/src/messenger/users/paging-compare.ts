import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import type { PagingReport, PagingSide } from '../../contracts/paging.js';
import type { Cluster } from '../../cluster/cluster.js';
import { ConflictError } from '../../domain/errors.js';
import type { Router } from '../../sharding/router.js';
import { mergeSorted } from '../merge.js';

/** A row as both ways fetch it: the API's columns, plus the creation time in microseconds to merge by. */
interface Row {
  id: string;
  created_at: string;
  us: string;
}

const COLUMNS = 'id, first_name, last_name, email, created_at::text AS created_at, updated_at, (extract(epoch FROM created_at) * 1000000)::bigint::text AS us';
/** The original's listing (`FindAll`): every shard sends its newest offset + limit rows; the API keeps a slice of the merge. */
const OFFSET_SQL = `SELECT ${COLUMNS} FROM users ORDER BY created_at DESC, id DESC LIMIT $1`;
/** The lab's listing: every shard starts after the cursor and sends limit + 1 rows. */
const KEYSET_SQL = `SELECT ${COLUMNS} FROM users WHERE (created_at, id) < ($2::timestamptz, $3::uuid) ORDER BY created_at DESC, id DESC LIMIT $1`;

// Microseconds since 1970 stay below 2^53 until the year 2255: exact as numbers.
const newestFirst = (a: Row, b: Row): number => Number(b.us) - Number(a.us) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

interface PlanNode {
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  Plans?: PlanNode[];
}

/** Rows the scans at the plan's leaves read: those they produced and those their filter threw away (a sequential scan's). */
const leafRows = (n: PlanNode): number =>
  n.Plans?.length ? n.Plans.reduce((s, c) => s + leafRows(c), 0) : (n['Actual Rows'] + (n['Rows Removed by Filter'] ?? 0)) * n['Actual Loops'];

const round = (ms: number): number => Math.round(ms * 100) / 100;

async function onShard(pool: pg.Pool, sql: string, params: unknown[], withPlan: boolean) {
  const started = performance.now();
  const { rows } = await pool.query<Row>(sql, params);
  const ms = performance.now() - started;
  const explained = await pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`, params);
  const plan = explained.rows[0]!['QUERY PLAN'][0].Plan;
  const text = withPlan
    ? (await pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params)).rows.map((r) => r['QUERY PLAN']).join('\n')
    : '';
  return { rows, ms, read: leafRows(plan), buffers: (plan['Shared Hit Blocks'] ?? 0) + (plan['Shared Read Blocks'] ?? 0), text };
}

/** Asks every shard at once, merges, and keeps `keep` rows from `skip`: one listing, measured end to end. */
async function scatter(
  cluster: Pick<Cluster, 'pools' | 'shards'>,
  ids: readonly number[],
  way: PagingSide['way'],
  sql: string,
  params: unknown[],
  skip: number,
  keep: number,
): Promise<{ side: PagingSide; page: Row[] }> {
  const parts = await Promise.all(ids.map((id, i) => cluster.pools.onShard(id, (pool) => onShard(pool, sql, params, i === 0))));
  const mergeStart = performance.now();
  // The lab's k-way merge of the shards' sorted runs, for both ways: only the rows to merge differ.
  const page = mergeSorted(
    parts.map((p) => p.rows),
    newestFirst,
    skip + keep,
  ).slice(skip);
  const end = performance.now();
  const names = new Map(cluster.shards.map((s) => [s.id, s.name]));
  const shards = parts.map((p, i) => ({
    shard: names.get(ids[i]!) ?? `shard-${ids[i]}`,
    ms: round(p.ms),
    rows_sent: p.rows.length,
    rows_read: p.read,
    buffers: p.buffers,
  }));
  return {
    page,
    side: {
      way,
      sql: sql.replace(COLUMNS, 'id, first_name, last_name, email, created_at, updated_at'),
      // The shards' EXPLAIN runs happen inside the scatter; the total counts the slowest shard's query, not its plan.
      total_ms: round(Math.max(...shards.map((s) => s.ms)) + (end - mergeStart)),
      merge_ms: round(end - mergeStart),
      rows_sent: shards.reduce((s, x) => s + x.rows_sent, 0),
      rows_read: shards.reduce((s, x) => s + x.rows_read, 0),
      shards,
      plan: parts[0]?.text ?? '',
    },
  };
}

/** Page `page` (1-based) of `limit` both ways: OFFSET as the original pages, keyset from the cursor page `page - 1` ended at. */
async function measurePage(cluster: Pick<Cluster, 'pools' | 'shards'>, ids: readonly number[], page: number, limit: number) {
  const offset = (page - 1) * limit;
  const byOffset = await scatter(cluster, ids, 'offset', OFFSET_SQL, [offset + limit], offset, limit);
  // The cursor a client holds after reading page - 1: the last row before this page, in the merged order.
  const before = page === 1 ? null : (await scatter(cluster, ids, 'offset', OFFSET_SQL, [offset], offset - 1, 1)).page[0];
  const byKeyset = before
    ? await scatter(cluster, ids, 'keyset', KEYSET_SQL, [limit + 1, before.created_at, before.id], 0, limit)
    : await scatter(cluster, ids, 'keyset', OFFSET_SQL, [limit + 1], 0, limit);
  const same = byOffset.page.map((r) => r.id).join() === byKeyset.page.map((r) => r.id).join();
  if (!same) throw new ConflictError('paging_moved', 'Users were added or removed while the pages were read; measure again.');
  return { page, offset: byOffset.side, keyset: byKeyset.side };
}

/**
 * The original's OFFSET paging against the lab's keyset paging over the ring's shards, at page 1 and at `page`:
 * each shard's time, rows sent and rows read (from EXPLAIN ANALYZE), and the merge. Both ways must return the
 * same rows, so the comparison is of cost alone. Reads only.
 */
export async function comparePaging(cluster: Pick<Cluster, 'pools' | 'shards'>, router: () => Router, page: number, limit: number): Promise<PagingReport> {
  const ids = router().ids;
  const counts = await Promise.all(
    ids.map((id) => cluster.pools.onShard(id, async (pool) => Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM users')).rows[0]!.n))),
  );
  const users = counts.reduce((a, b) => a + b, 0);
  if (users < page * limit) {
    throw new ConflictError('too_few_users', `Page ${page} of ${limit} needs at least ${page * limit} users; the shards hold ${users}. Seed more first.`, {
      users,
      needed: page * limit,
    });
  }
  // A first pass warms the caches and the plans, so neither way pays for the other's cold start.
  await measurePage(cluster, ids, page, limit);
  const pages = [await measurePage(cluster, ids, 1, limit), await measurePage(cluster, ids, page, limit)];
  const deep = pages[1]!;
  return {
    users,
    limit,
    pages,
    deep_ms_ratio: round(deep.offset.total_ms / Math.max(deep.keyset.total_ms, 0.01)),
    deep_read_ratio: round(deep.offset.rows_read / Math.max(deep.keyset.rows_read, 1)),
  };
}
