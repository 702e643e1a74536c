import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/**
 * A COPY ... FROM STDIN into one shard inside a transaction that stays open until `commit()`: the caller
 * commits every shard only after all of them loaded, and rolls all back on failure or cancel.
 */
export class CopyWriter {
  private stream: ReturnType<typeof copyFrom> | null = null;
  private state: 'open' | 'committed' | 'rolled-back' = 'open';
  private failure: Error | null = null;
  /** Rows written so far, per table. */
  readonly rows: Record<string, number> = {};
  private table = '';

  private constructor(
    private readonly client: pg.Client,
    readonly shardName: string,
  ) {}

  static async open(client: pg.Client, shardName: string, table: string, columns: readonly string[]): Promise<CopyWriter> {
    const w = new CopyWriter(client, shardName);
    await client.query('BEGIN');
    w.startCopy(table, columns);
    return w;
  }

  /** Finishes the current COPY and starts one into another table, in the same transaction (parents before children). */
  async next(table: string, columns: readonly string[]): Promise<void> {
    await this.end();
    this.startCopy(table, columns);
  }

  /** A query in the load's transaction (between COPYs: it ends the current one). */
  async query<R extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<R[]> {
    await this.end();
    return (await this.client.query<R>(text, values)).rows;
  }

  private startCopy(table: string, columns: readonly string[]): void {
    this.table = table;
    this.rows[table] ??= 0;
    this.stream = this.client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
    // A failed COPY (or our own destroy on cancel) surfaces through write/end; this keeps it from being unhandled.
    this.stream.on('error', (err: Error) => (this.failure ??= new Error(`${this.shardName}: ${err.message}`, { cause: err })));
  }

  /** Writes a chunk of COPY text, waiting when the server is slower than the generator. */
  async write(chunk: string, rows: number): Promise<void> {
    if (this.failure) throw this.failure;
    if (!chunk) return;
    this.rows[this.table]! += rows;
    try {
      if (!this.stream!.write(chunk)) await once(this.stream!, 'drain');
    } catch (err) {
      throw this.failure ?? err;
    }
  }

  /** Finishes the COPY (the rows are now in the open transaction). */
  async end(): Promise<void> {
    const s = this.stream;
    if (!s) return;
    this.stream = null;
    s.end();
    await finished(s).catch(() => undefined);
    if (this.failure) throw this.failure;
  }

  async commit(): Promise<void> {
    await this.client.query('COMMIT');
    this.state = 'committed';
    await this.client.end();
  }

  get committed(): boolean {
    return this.state === 'committed';
  }

  /** Abandons everything this writer loaded and closes its connection. */
  async rollback(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'rolled-back';
    try {
      if (this.stream && !this.stream.writableFinished) this.stream.destroy(new Error('seed cancelled'));
      await this.client.query('ROLLBACK');
    } catch {
      // The connection is closed below either way; the server rolls back an unfinished transaction itself.
    }
    await this.client.end().catch(() => undefined);
  }
}
