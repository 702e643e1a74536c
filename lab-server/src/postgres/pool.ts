import pg from 'pg';
import type { LabConfig } from '../config.js';
import { traceQueries } from '../tracing/pg.js';

const TIMESTAMPTZ_OID = 1184;
const INT8_OID = 20;

/**
 * Timestamps stay as PostgreSQL's text (microsecond precision: a JS Date would round to milliseconds and
 * break keyset cursors); bigints within 2^53 (counts, 32-bit ring hashes) become numbers.
 */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === TIMESTAMPTZ_OID) return (value: string) => value;
    if (oid === INT8_OID) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format ?? 'text');
  },
} as pg.CustomTypesConfig;

/** The pool's limits; `idleInTransactionTimeoutMs` is the tuning chapter's knob (0: PostgreSQL's default, off). */
export type PoolLimits = LabConfig['pool'] & { idleInTransactionTimeoutMs?: number };

export function createPool(url: string, pool: PoolLimits, applicationName = 'shard-lab'): pg.Pool {
  const p = new pg.Pool({
    connectionString: url,
    max: pool.max,
    idleTimeoutMillis: pool.idleTimeoutMs,
    connectionTimeoutMillis: pool.connectTimeoutMs,
    // Bounds every query, so a paused or wedged shard fails its requests instead of hanging them.
    query_timeout: pool.statementTimeoutMs > 0 ? pool.statementTimeoutMs + 1_000 : undefined,
    statement_timeout: pool.statementTimeoutMs > 0 ? pool.statementTimeoutMs : undefined,
    idle_in_transaction_session_timeout: pool.idleInTransactionTimeoutMs ? pool.idleInTransactionTimeoutMs : undefined,
    application_name: applicationName,
    options: '-c TimeZone=UTC',
    types,
  });
  // An idle client whose server died emits here; the next query reports the outage, so there is nothing to do.
  p.on('error', () => undefined);
  traceQueries(p);
  return p;
}
