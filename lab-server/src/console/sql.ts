import pg from 'pg';
import type { Cluster, Shard } from '../cluster/cluster.js';
import { isUnavailable, ShardUnavailableError } from '../cluster/errors.js';
import { show } from '../commands/format.js';
import { consoleUrl, forgetConsoleRole } from './console-role.js';

/** Console SQL (terminal and SQL viewer) is stopped after this long unless the lab is told otherwise. */
export const CONSOLE_STATEMENT_TIMEOUT_MS = 10_000;
/** Rows shown per result; the rest are counted, not sent. */
export const MAX_ROWS = 500;
/**
 * Console connections open at once across the lab (terminals in SQL mode, SQL viewer runs): each is a
 * PostgreSQL backend on a shard, and a page that opened hundreds would take the connections requests need.
 */
export const MAX_CONSOLE_CONNECTIONS = 16;

export interface ConsoleLimits {
  statementTimeoutMs: number;
}

const DEFAULT_LIMITS: ConsoleLimits = { statementTimeoutMs: CONSOLE_STATEMENT_TIMEOUT_MS };

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

/** Every console connection is taken: the learner should close one, not wait on a queue they cannot see. */
export class ConsoleBusyError extends Error {
  constructor() {
    super(
      `${MAX_CONSOLE_CONNECTIONS} console connections are open (terminals in SQL mode and SQL viewer runs); leave SQL mode with \\q in a terminal, or wait for a run to end.`,
    );
  }
}

let openConnections = 0;

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
 * One connection to one shard, outside the request pools, for the learner's own SQL. It runs as the console
 * role (console-role.ts), one statement per call (the extended protocol refuses more, so nothing can follow an
 * EXPLAIN ANALYZE's rollback), and under limits the learner cannot lift: `SET statement_timeout = 0` changes
 * PostgreSQL's own timer, not the lab's, which cancels the statement; closing the session ends its backend
 * even while a statement runs.
 */
export class SqlSession {
  private running = false;
  private closed = false;

  private constructor(
    readonly shard: Shard,
    private readonly client: pg.Client,
    private readonly backendPid: number,
    private readonly limits: ConsoleLimits,
  ) {}

  static async open(shard: Shard, limits: ConsoleLimits = DEFAULT_LIMITS): Promise<SqlSession> {
    if (openConnections >= MAX_CONSOLE_CONNECTIONS) throw new ConsoleBusyError();
    openConnections++;
    try {
      return await SqlSession.connect(shard, limits, true);
    } catch (err) {
      openConnections--;
      throw err;
    }
  }

  private static async connect(shard: Shard, limits: ConsoleLimits, retryLogin: boolean): Promise<SqlSession> {
    let url: string;
    try {
      url = await consoleUrl(shard);
    } catch (err) {
      if (isUnavailable(err)) throw new ShardUnavailableError(shard.name, err);
      throw err;
    }
    const client = new pg.Client({
      connectionString: url,
      application_name: 'shard-lab-console',
      connectionTimeoutMillis: 3_000,
      options: `-c statement_timeout=${limits.statementTimeoutMs} -c idle_in_transaction_session_timeout=60000 -c TimeZone=UTC`,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      return new SqlSession(shard, client, rows[0]!.pid, limits);
    } catch (err) {
      await client.end().catch(() => undefined);
      // 28P01: the role's password changed since the lab set it (someone ran ALTER ROLE): set it up again, once.
      if ((err as { code?: string }).code === '28P01' && retryLogin) {
        forgetConsoleRole(shard);
        return SqlSession.connect(shard, limits, false);
      }
      if (isUnavailable(err)) throw new ShardUnavailableError(shard.name, err);
      throw err;
    }
  }

  async run(sql: string, explain: ExplainMode | null = null): Promise<SqlRun> {
    const started = performance.now();
    this.running = true;
    // The lab's own timer, a little after PostgreSQL's, so PostgreSQL's message wins unless the learner lifted it.
    const timer = setTimeout(() => void this.signalBackend('pg_cancel_backend'), this.limits.statementTimeoutMs + 250);
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
      throw new SqlError(this.explainError(e), e.code ?? null, e.position ? Number(e.position) : null);
    } finally {
      clearTimeout(timer);
      this.running = false;
    }
  }

  /** `text` as an SQL string literal, for the backslash commands. */
  literal(text: string): string {
    return this.client.escapeLiteral(text);
  }

  /** Ends the session; a statement still running is ended with it (its client is gone, so nobody waits for it). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    openConnections--;
    if (this.running) await this.signalBackend('pg_terminate_backend');
    await this.client.end().catch(() => undefined);
  }

  private explainError(e: { message?: string; code?: string }): string {
    const message = e.message ?? 'failed';
    if (e.code === '57014') return `${message} (console statements stop after ${this.limits.statementTimeoutMs / 1000} s)`;
    if (e.code === '42601' && /multiple commands/.test(message))
      return 'one statement at a time: the console runs each statement on its own (send the next one after this one)';
    return message;
  }

  /** Through the lab's own connection: the learner's session cannot lift or ignore it. */
  private async signalBackend(fn: 'pg_cancel_backend' | 'pg_terminate_backend'): Promise<void> {
    await this.shard.pool.query(`SELECT ${fn}($1)`, [this.backendPid]).catch(() => undefined);
  }

  private async query(text: string): Promise<SqlResult[]> {
    // queryMode 'extended' (pg's option, not in its type definitions): one statement per call, whatever the text holds.
    const config: pg.QueryArrayConfig & { queryMode: 'extended' } = { text, rowMode: 'array', queryMode: 'extended' };
    const r = await this.client.query(config);
    return [
      {
        command: r.command ?? '',
        fields: r.fields.map((f) => f.name),
        rows: r.rows.slice(0, MAX_ROWS).map((row) => row.map(show)),
        row_count: r.rowCount ?? r.rows.length,
        truncated: r.rows.length > MAX_ROWS,
      },
    ];
  }
}

/** Runs one piece of SQL on a fresh session and closes it; `gone` (the client left) ends it early. */
export async function runSql(
  shard: Shard,
  sql: string,
  explain: ExplainMode | null = null,
  limits: ConsoleLimits = DEFAULT_LIMITS,
  gone?: AbortSignal,
): Promise<SqlRun> {
  const session = await SqlSession.open(shard, limits);
  const end = () => void session.close();
  gone?.addEventListener('abort', end, { once: true });
  try {
    return await session.run(sql, explain);
  } finally {
    gone?.removeEventListener('abort', end);
    await session.close();
  }
}
