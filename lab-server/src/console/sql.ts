import pg from 'pg';
import type { Cluster, Shard } from '../cluster/cluster.js';
import { isUnavailable, ShardUnavailableError } from '../cluster/errors.js';
import { show } from '../commands/format.js';

/** Console SQL (terminal and SQL viewer) is stopped by PostgreSQL after this long. */
export const CONSOLE_STATEMENT_TIMEOUT_MS = 10_000;
/** Rows shown per result; the rest are counted, not sent. */
export const MAX_ROWS = 500;

export interface SqlResult {
  command: string;
  fields: string[];
  rows: string[][];
  row_count: number;
  truncated: boolean;
}

export interface SqlRun {
  shard: string;
  results: SqlResult[];
  duration_ms: number;
}

export type ExplainMode = 'plan' | 'analyze';

/** A statement the shard refused (syntax, constraint, timeout): the learner's SQL, not the lab, is at fault. */
export class SqlError extends Error {
  constructor(
    message: string,
    readonly sqlstate: string | null,
    readonly position: number | null,
  ) {
    super(message);
  }
}

/** A shard by name (`shard-2`) or id (`2`), or null. */
export function findShard(cluster: Cluster, ref: string): Shard | null {
  const byName = cluster.shards.find((s) => s.name === ref);
  if (byName) return byName;
  return /^\d+$/.test(ref) ? (cluster.shards.find((s) => s.id === Number(ref)) ?? null) : null;
}

/**
 * One connection to one shard, outside the request pools, for the learner's own SQL: a statement timeout
 * so a runaway query ends, and an idle-in-transaction timeout so a forgotten BEGIN cannot hold locks for long.
 */
export class SqlSession {
  private constructor(
    readonly shard: Shard,
    private readonly client: pg.Client,
  ) {}

  static async open(shard: Shard): Promise<SqlSession> {
    const client = new pg.Client({
      connectionString: shard.url,
      application_name: 'shard-lab-console',
      connectionTimeoutMillis: 3_000,
      options: `-c statement_timeout=${CONSOLE_STATEMENT_TIMEOUT_MS} -c idle_in_transaction_session_timeout=60000 -c TimeZone=UTC`,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (err) {
      await client.end().catch(() => undefined);
      if (isUnavailable(err)) throw new ShardUnavailableError(shard.name, err);
      throw err;
    }
    return new SqlSession(shard, client);
  }

  async run(sql: string, explain: ExplainMode | null = null): Promise<SqlRun> {
    const started = performance.now();
    try {
      let results: SqlResult[];
      if (explain === 'analyze') {
        // ANALYZE executes the statement; the rollback keeps an explained write from changing anything.
        await this.client.query('BEGIN');
        try {
          results = await this.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT) ${sql}`);
        } finally {
          await this.client.query('ROLLBACK').catch(() => undefined);
        }
      } else {
        results = await this.query(explain === 'plan' ? `EXPLAIN (FORMAT TEXT) ${sql}` : sql);
      }
      return { shard: this.shard.name, results, duration_ms: Math.round((performance.now() - started) * 1000) / 1000 };
    } catch (err) {
      if (isUnavailable(err)) throw new ShardUnavailableError(this.shard.name, err);
      const e = err as { message?: string; code?: string; position?: string };
      const timeout = e.code === '57014' ? ` (console statements stop after ${CONSOLE_STATEMENT_TIMEOUT_MS / 1000} s)` : '';
      throw new SqlError(`${e.message ?? String(err)}${timeout}`, e.code ?? null, e.position ? Number(e.position) : null);
    }
  }

  /** `text` as an SQL string literal, for the backslash commands. */
  literal(text: string): string {
    return this.client.escapeLiteral(text);
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }

  private async query(text: string): Promise<SqlResult[]> {
    const out = (await this.client.query({ text, rowMode: 'array' })) as pg.QueryArrayResult | pg.QueryArrayResult[];
    return ([] as pg.QueryArrayResult[]).concat(out).map((r) => ({
      command: r.command ?? '',
      fields: r.fields.map((f) => f.name),
      rows: r.rows.slice(0, MAX_ROWS).map((row) => row.map(show)),
      row_count: r.rowCount ?? r.rows.length,
      truncated: r.rows.length > MAX_ROWS,
    }));
  }
}

/** Runs one piece of SQL on a fresh session and closes it. */
export async function runSql(shard: Shard, sql: string, explain: ExplainMode | null = null): Promise<SqlRun> {
  const session = await SqlSession.open(shard);
  try {
    return await session.run(sql, explain);
  } finally {
    await session.close();
  }
}
