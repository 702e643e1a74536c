import { ConflictError } from '../domain/errors.js';
import { errorMessage, type SelfClient } from '../net/self-client.js';
import type { PoolingMode } from './pooling.js';

/** What the API's requests did with its hot statements named (prepared once per connection) or sent unnamed. */
export interface StatementsResult {
  statements: 'named' | 'unnamed';
  requests: number;
  /** Requests that did not answer as expected (201, 200, 204). */
  failed: number;
  /** The first failure's message, as the API reported it. */
  error: string | null;
  ms: number;
}

export interface StatementsTrial {
  finished_at: string;
  mode: PoolingMode;
  pgbouncer_version: string | null;
  /** Whether this PgBouncer can track protocol-level named statements itself (`max_prepared_statements`, from 1.21). */
  tracks_prepared_statements: boolean;
  concurrency: number;
  results: StatementsResult[];
}

/** The parts of the lab a statements trial uses: the pool mode, the PgBouncer version, and the prepared-statements setting it switches and puts back. */
export interface StatementsHost {
  mode(): PoolingMode;
  version(): string | null;
  prepared(): boolean;
  setPrepared(on: boolean): Promise<void>;
}

/** Enough requests in flight that the API's pool hands several client connections to PgBouncer at once. */
const CONCURRENCY = 8;

/** PgBouncer tracks named statements across server connections from 1.21 on (`max_prepared_statements`). */
export function tracksPreparedStatements(version: string | null): boolean {
  const m = /^(\d+)\.(\d+)/.exec(version ?? '');
  return m ? Number(m[1]) > 1 || (Number(m[1]) === 1 && Number(m[2]) >= 21) : false;
}

/**
 * The API's own named prepared statements under the current pool mode: the same create-read-delete requests,
 * once with the hot statements named and once unnamed (the original's `PrepareStmt: false`). Under transaction
 * pooling a statement prepared on one server connection is missing on the next, or already there for another
 * client, so named requests fail; unnamed ones do not.
 */
export class StatementTrials {
  private latest: StatementsTrial | null = null;
  private running = false;

  last(): StatementsTrial | null {
    return this.latest;
  }

  forget(): void {
    this.latest = null;
  }

  async run(host: StatementsHost, api: SelfClient, requests: number): Promise<StatementsTrial> {
    const mode = host.mode();
    if (mode === 'off') throw new ConflictError('pooling_off', 'Pooling is off: start PgBouncer first (transaction mode shows the failures).');
    if (this.running) throw new ConflictError('trial_running', 'A statements trial is already running; wait for it to finish.');
    this.running = true;
    const before = host.prepared();
    try {
      const results: StatementsResult[] = [];
      for (const named of [true, false]) {
        await host.setPrepared(named);
        results.push(await runOnce(api, named ? 'named' : 'unnamed', requests));
      }
      const version = host.version();
      this.latest = {
        finished_at: new Date().toISOString(),
        mode,
        pgbouncer_version: version,
        tracks_prepared_statements: tracksPreparedStatements(version),
        concurrency: CONCURRENCY,
        results,
      };
      return this.latest;
    } finally {
      await host.setPrepared(before);
      this.running = false;
    }
  }
}

async function runOnce(api: SelfClient, statements: StatementsResult['statements'], requests: number): Promise<StatementsResult> {
  const started = performance.now();
  let sent = 0;
  let failed = 0;
  let error: string | null = null;
  const expect = async (method: string, path: string, status: number, body?: unknown) => {
    sent++;
    const r = await api.call<{ id?: string }>(method, path, body);
    if (r.status === status) return r.body;
    failed++;
    error ??= `${method} ${path.replace(/[0-9a-f-]{36}/, ':id')} → ${r.status}: ${errorMessage(r)}`;
    return null;
  };
  const worker = async () => {
    while (sent < requests) {
      const created = await expect('POST', '/api/v1/users', 201, { first_name: 'Statements', last_name: 'Trial' });
      const id = created?.id;
      if (!id) continue;
      await expect('GET', `/api/v1/users/${id}`, 200);
      // Deleted whatever the read did, so the trial leaves no rows; a failed delete leaves one, and counts.
      await expect('DELETE', `/api/v1/users/${id}`, 204);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, requests) }, worker));
  return { statements, requests: sent, failed, error, ms: Math.round(performance.now() - started) };
}
