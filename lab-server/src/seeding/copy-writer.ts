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
  rows = 0;

  private constructor(
    private readonly client: pg.Client,
    readonly shardName: string,
  ) {}

  static async open(client: pg.Client, shardName: string, table: string, columns: readonly string[]): Promise<CopyWriter> {
    const w = new CopyWriter(client, shardName);
    await client.query('BEGIN');
    w.stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
    // A failed COPY (or our own destroy on cancel) surfaces through write/end; this keeps it from being unhandled.
    w.stream.on('error', (err: Error) => (w.failure ??= new Error(`${shardName}: ${err.message}`, { cause: err })));
    return w;
  }

  /** Writes a chunk of COPY text, waiting when the server is slower than the generator. */
  async write(chunk: string, rows: number): Promise<void> {
    if (this.failure) throw this.failure;
    if (!chunk) return;
    this.rows += rows;
    try {
      if (!this.stream!.write(chunk)) await once(this.stream!, 'drain');
    } catch (err) {
      throw this.failure ?? err;
    }
  }

  /** Finishes the COPY (the rows are now in the open transaction). */
  async end(): Promise<void> {
    const s = this.stream!;
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
