import pg from 'pg';

/**
 * A dedicated connection per shard for health checks, outside the shard's pool: a pool saturated by load
 * must not make a healthy shard look dead, and a dead shard must be noticed without waiting for traffic.
 */
export class HealthProbe {
  private client: pg.Client | null = null;
  private inFlight: Promise<{ ok: boolean; error: string | null }> | null = null;

  constructor(
    private readonly url: string,
    private readonly timeoutMs: number,
  ) {}

  /** Concurrent callers share one check, so the probe never opens a second connection. */
  check(): Promise<{ ok: boolean; error: string | null }> {
    this.inFlight ??= this.run().finally(() => (this.inFlight = null));
    return this.inFlight;
  }

  private async run(): Promise<{ ok: boolean; error: string | null }> {
    try {
      await withTimeout(this.ping(), this.timeoutMs);
      return { ok: true, error: null };
    } catch (err) {
      this.reset();
      return { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
  }

  close(): void {
    this.reset();
  }

  private async ping(): Promise<void> {
    if (!this.client) {
      const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: this.timeoutMs, application_name: 'shard-lab-health' });
      client.on('error', () => this.reset());
      this.client = client;
      await client.connect();
    }
    // The comment marks it as the lab's own monitoring: the tuning chapter's top statements leave it out.
    await this.client.query('/* shard-lab monitor */ SELECT 1');
  }

  private reset(): void {
    const c = this.client;
    this.client = null;
    if (c) c.end().catch(() => undefined);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]);
}
