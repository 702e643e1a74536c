import type pg from 'pg';
import { endSpan, failSpan, startSpan, tracing } from './tracing.js';

type QueryArgs = [config: string | pg.QueryConfig, values?: unknown[]];

/**
 * Splits a traced request's `pool.query` into the two waits it hides: `pool wait` (a connection lent by the
 * pool, maybe after queueing) and `query` (the statement's round trip, with its SQL and row count). Untraced
 * calls and callback calls go to pg's own `query` unchanged.
 */
export function traceQueries(pool: pg.Pool): void {
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  pool.query = ((...args: unknown[]) => {
    if (!tracing() || typeof args[args.length - 1] === 'function') return query(...args);
    return tracedQuery(pool, args as QueryArgs);
  }) as typeof pool.query;
}

async function tracedQuery(pool: pg.Pool, [config, values]: QueryArgs): Promise<pg.QueryResult> {
  const wait = startSpan('pool wait', {
    'db.client.connection.pool.total': pool.totalCount,
    'db.client.connection.pool.idle': pool.idleCount,
    'db.client.connection.pool.waiting': pool.waitingCount,
  });
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    failSpan(wait, err);
    throw err;
  } finally {
    endSpan(wait);
  }
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
    // As pg's pool.query: a connection error while the statement runs fails it (a lent client has no other listener).
    const result = await new Promise<pg.QueryResult>((resolve, reject) => {
      client.once('error', reject);
      client
        .query(config, values)
        .then(resolve, reject)
        .finally(() => client.removeListener('error', reject));
    });
    span.setAttribute('db.response.returned_rows', result.rows?.length ?? result.rowCount ?? 0);
    client.release();
    return result;
  } catch (err) {
    failSpan(span, err);
    // As pg's own pool.query: a client whose query failed is discarded, not reused.
    client.release(err instanceof Error ? err : true);
    throw err;
  } finally {
    endSpan(span);
  }
}
