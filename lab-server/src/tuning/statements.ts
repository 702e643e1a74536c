import { ConflictError } from '../domain/errors.js';
import { onAnswering, type TunableShard } from './service.js';

/**
 * The top statements per shard, from `pg_stat_statements`: where each server spends its time. The lab's
 * embedded shards preload the module at start (`shared_preload_libraries`); the extension's view is created
 * on first use, in its own schema so the messenger's schema (and its migrations' view of it) stays as it was.
 */
export const STATEMENT_ORDERS = ['total', 'calls', 'mean'] as const;
export type StatementOrder = (typeof STATEMENT_ORDERS)[number];

const STATS_SCHEMA = 'lab_stats';

const ORDER_SQL: Record<StatementOrder, string> = { total: 'total_exec_time', calls: 'calls', mean: 'mean_exec_time' };

export interface TopStatement {
  query_id: string;
  /** Normalised text: constants replaced by $1, $2, …. */
  query: string;
  calls: number;
  total_ms: number;
  mean_ms: number;
  rows: number;
  /** Share of the shard's statement time (every statement the module tracks), in percent. */
  share_pct: number;
  /** Share of block reads served from shared buffers, percent (null when it read no block). */
  cache_hit_pct: number | null;
}

export interface ShardStatements {
  shard: string;
  /** When the statistics were last reset (or the server first tracked), ISO time. */
  since: string;
  /** Time spent in every statement tracked on this shard's database, ms. */
  total_ms: number;
  statements: TopStatement[];
}

/** The module is not in shared_preload_libraries: an external server, or one started before the lab preloaded it. */
export class StatementsUnavailableError extends ConflictError {}

async function ensureView(s: TunableShard): Promise<void> {
  // Created once; creating it on every look would put CREATE statements among the ones measured.
  const { rows } = await s.pool.query<{ loaded: boolean; view: string | null }>(
    `SELECT 'pg_stat_statements' = ANY(string_to_array(replace(current_setting('shared_preload_libraries'), ' ', ''), ',')) AS loaded,
            to_regclass('${STATS_SCHEMA}.pg_stat_statements')::text AS view`,
  );
  if (rows[0]?.view) return;
  if (!rows[0]?.loaded) {
    throw new StatementsUnavailableError(
      'statements_unavailable',
      `${s.name} does not load pg_stat_statements: add shared_preload_libraries = 'pg_stat_statements' to its configuration and restart it (the lab's embedded shards load it at start).`,
      { shard: s.name },
    );
  }
  await s.pool.query(`CREATE SCHEMA IF NOT EXISTS ${STATS_SCHEMA}`);
  await s.pool.query(`CREATE EXTENSION IF NOT EXISTS pg_stat_statements SCHEMA ${STATS_SCHEMA}`).catch((err: { code?: string }) => {
    // Two first uses at once: the other one created it.
    if (err.code !== '23505' && err.code !== '42710') throw err;
  });
}

/**
 * The shard's top statements in its messenger database, by total time, calls or mean time. The lab's own
 * reads of the module and its monitoring (the health probe and the metrics sampler mark their SQL with
 * `shard-lab monitor`) are left out: they run whatever the learner does and would bury the workload.
 */
export async function topStatements(
  shards: readonly TunableShard[],
  opts: { by: StatementOrder; limit: number },
): Promise<{ read: ShardStatements[]; unanswered: string[] }> {
  return onAnswering(shards, async (s) => {
    await ensureView(s);
    const where = `dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND query NOT LIKE '%pg_stat_statements%' AND query NOT LIKE '%shard-lab monitor%'`;
    const total = await s.pool.query<{ total_ms: number; since: string }>(
      `SELECT coalesce(sum(total_exec_time), 0)::float8 AS total_ms, (SELECT to_json(stats_reset) #>> '{}' FROM ${STATS_SCHEMA}.pg_stat_statements_info) AS since
           FROM ${STATS_SCHEMA}.pg_stat_statements WHERE ${where}`,
    );
    const { rows } = await s.pool.query<Omit<TopStatement, 'share_pct'>>(
      `SELECT queryid::text AS query_id, query, calls::float8 AS calls, total_exec_time::float8 AS total_ms, mean_exec_time::float8 AS mean_ms,
                rows::float8 AS rows,
                CASE WHEN shared_blks_hit + shared_blks_read = 0 THEN NULL
                     ELSE round(100.0 * shared_blks_hit / (shared_blks_hit + shared_blks_read), 2)::float8 END AS cache_hit_pct
           FROM ${STATS_SCHEMA}.pg_stat_statements WHERE ${where}
          ORDER BY ${ORDER_SQL[opts.by]} DESC, queryid LIMIT $1`,
      [opts.limit],
    );
    const sum = total.rows[0]!.total_ms;
    return {
      shard: s.name,
      since: new Date(total.rows[0]!.since).toISOString(),
      total_ms: round(sum),
      statements: rows.map((r) => ({
        ...r,
        total_ms: round(r.total_ms),
        mean_ms: round(r.mean_ms, 3),
        share_pct: sum > 0 ? round((100 * r.total_ms) / sum) : 0,
      })),
    };
  });
}

/** Forgets the statement statistics of every shard that answers, so the next look shows only what ran since. */
export async function resetStatements(shards: readonly TunableShard[]): Promise<void> {
  await onAnswering(shards, async (s) => {
    await ensureView(s);
    await s.pool.query(`SELECT ${STATS_SCHEMA}.pg_stat_statements_reset()`);
  });
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
