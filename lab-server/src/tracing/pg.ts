import type pg from 'pg';
import { endSpan, failSpan, startSpan, tracing } from './tracing.js';

type QueryArgs = [config: string | pg.QueryConfig, values?: unknown[]];
type Connect = () => Promise<pg.PoolClient>;

const TRACED = Symbol('traced queries');

/**
 * Splits a traced request's time on a pool into the two waits it hides: `pool wait` (a connection lent by the
 * pool, maybe after queueing) and `query` (each statement's round trip, with its SQL and row count). Both ways
 * of using a pool count: `pool.query`, and a client taken with `pool.connect()` for a transaction, whose
 * statements would otherwise read as the server's own work. Untraced calls, callback calls and submittables
 * (cursors) go to pg unchanged.
 */
export function traceQueries(pool: pg.Pool): void {
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  const connect = pool.connect.bind(pool) as (...args: unknown[]) => unknown;
  const lend = () => lendTraced(pool, connect as Connect);
  pool.query = ((...args: unknown[]) => {
    if (!tracing() || typeof args[args.length - 1] === 'function') return query(...args);
    return tracedQuery(lend, args as QueryArgs);
  }) as typeof pool.query;
  pool.connect = ((...args: unknown[]) => (!tracing() || args.length > 0 ? connect(...args) : lend())) as typeof pool.connect;
}

async function lendTraced(pool: pg.Pool, connect: Connect): Promise<pg.PoolClient> {
  const wait = startSpan('pool wait', {
    'db.client.connection.pool.total': pool.totalCount,
    'db.client.connection.pool.idle': pool.idleCount,
    'db.client.connection.pool.waiting': pool.waitingCount,
  });
  try {
    const client = await connect();
    traceClient(client);
    return client;
  } catch (err) {
    failSpan(wait, err);
    throw err;
  } finally {
    endSpan(wait);
  }
}

/** Gives a pooled client's `query` a span while a request is traced; once per client, as the pool reuses them. */
function traceClient(client: pg.PoolClient): void {
  const marked = client as pg.PoolClient & { [TRACED]?: true };
  if (marked[TRACED]) return;
  marked[TRACED] = true;
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  client.query = ((...args: unknown[]) => {
    const [config, values] = args as QueryArgs;
    const submittable = typeof config === 'object' && typeof (config as { submit?: unknown }).submit === 'function';
    if (!tracing() || submittable || typeof args[args.length - 1] === 'function') return query(...args);
    return inQuerySpan(config, values, () => query(...args) as Promise<pg.QueryResult>);
  }) as typeof client.query;
}

async function inQuerySpan(config: string | pg.QueryConfig, values: unknown[] | undefined, run: () => Promise<pg.QueryResult>): Promise<pg.QueryResult> {
  const text = typeof config === 'string' ? config : config.text;
  const name = typeof config === 'string' ? undefined : config.name;
  const params = values ?? (typeof config === 'string' ? undefined : config.values);
  const span = startSpan('query', {
    'db.system.name': 'postgresql',
    'db.query.text': text.replace(/\s+/g, ' ').trim(),
    ...(name ? { 'db.query.name': name } : {}),
    // Kept so the tracer can EXPLAIN the very statement afterwards (see http/routes/traces.ts).
    ...(params?.length ? { 'db.query.parameters': JSON.stringify(params) } : {}),
  });
  try {
    const result = await run();
    span.setAttribute('db.response.returned_rows', result.rows?.length ?? result.rowCount ?? 0);
    return result;
  } catch (err) {
    failSpan(span, err);
    throw err;
  } finally {
    endSpan(span);
  }
}

async function tracedQuery(lend: Connect, [config, values]: QueryArgs): Promise<pg.QueryResult> {
  const client = await lend();
  try {
    // As pg's pool.query: a connection error while the statement runs fails it (a lent client has no other listener).
    const result = await new Promise<pg.QueryResult>((resolve, reject) => {
      client.once('error', reject);
      client
        .query(config, values)
        .then(resolve, reject)
        .finally(() => client.removeListener('error', reject));
    });
    client.release();
    return result;
  } catch (err) {
    // As pg's own pool.query: a client whose query failed is discarded, not reused.
    client.release(err instanceof Error ? err : true);
    throw err;
  }
}
