import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { migrate, throwIfFailed } from '../migrations/index.js';
import { createPool } from '../postgres/pool.js';

/** The catalog schema's migrations, run by the same runner as the messenger's (see docs/migrations.md). */
export const CATALOG_MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/**
 * The lab's own database (topology, ring versions, jobs, load-test runs, exercise progress) on its own small
 * server, so that killing or removing a shard never takes the lab's memory with it.
 */
export class Catalog {
  private constructor(
    readonly url: string,
    readonly pool: pg.Pool,
  ) {}

  /** Opens the catalog and brings its schema up to date, unless `migrate` is false (a prefork worker: the primary did). */
  static async open(url: string, opts: { migrate: boolean } = { migrate: true }): Promise<Catalog> {
    const pool = createPool(url, { max: 5, idleTimeoutMs: 30_000, connectTimeoutMs: 5_000, statementTimeoutMs: 30_000 }, 'shard-lab-catalog');
    try {
      if (opts.migrate) throwIfFailed(await migrate([{ name: 'catalog', url }], CATALOG_MIGRATIONS_DIR, 'latest'));
    } catch (err) {
      await pool.end();
      throw err;
    }
    return new Catalog(url, pool);
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}
