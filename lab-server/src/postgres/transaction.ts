import type pg from 'pg';

/**
 * Runs `fn` on one connection of the pool inside a transaction that `begin` opens (`BEGIN`, or `BEGIN` with an
 * isolation level and the statements that must come first): committed when `fn` returns, rolled back when it throws.
 */
export async function inTransaction<T>(pool: pg.Pool, begin: string, fn: (db: pg.PoolClient) => Promise<T>): Promise<T> {
  const db = await pool.connect();
  try {
    await db.query(begin);
    const result = await fn(db);
    await db.query('COMMIT');
    return result;
  } catch (err) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    db.release();
  }
}
