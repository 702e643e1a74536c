import pg from 'pg';
import type { Shard } from '../cluster/cluster.js';
import type { ShardTick } from './types.js';

/** One round trip per shard per second: four catalog views, answered in one implicit transaction. */
// The comment marks it as the lab's own monitoring: the tuning chapter's top statements leave it out.
const SAMPLE_SQL = `/* shard-lab monitor */
SELECT xact_commit + xact_rollback AS xacts, blks_hit, blks_read, tup_returned + tup_fetched AS rows_read,
       tup_inserted + tup_updated + tup_deleted AS rows_written
  FROM pg_stat_database WHERE datname = current_database();
SELECT coalesce(state, 'unknown') AS state, count(*)::int AS n FROM pg_stat_activity
 WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid() GROUP BY 1;
SELECT relname, n_live_tup FROM pg_stat_user_tables WHERE relname NOT LIKE 'lab\\_%' ORDER BY relname;
SELECT application_name, state, (extract(epoch FROM replay_lag) * 1000)::float8 AS lag_ms,
       pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::float8 AS lag_bytes FROM pg_stat_replication;`;

/** The sampler's own query is one transaction per sample; it is taken off the shard's rate. */
const OWN_XACTS = 1;
const TIMEOUT_MS = 2_000;

interface Counters {
  at: number;
  xacts: number;
  blks_hit: number;
  blks_read: number;
  rows_read: number;
  rows_written: number;
}

export interface ShardSample {
  tick: Omit<ShardTick, 'pool'>;
  /** Cumulative counters as PostgreSQL reports them (for Prometheus counters). */
  totals: { xacts: number; rows_read: number; rows_written: number } | null;
}

/**
 * Samples one shard's statistics views on a dedicated connection (not the request pool: a pool saturated
 * by load must not delay the numbers that show it), and turns cumulative counters into per-second rates.
 */
export class ShardSampler {
  private client: pg.Client | null = null;
  private previous: Counters | null = null;

  constructor(readonly url: string) {}

  async sample(shard: Shard): Promise<ShardSample> {
    const base: ShardSample['tick'] = {
      id: shard.id,
      name: shard.name,
      status: shard.status,
      queries_per_s: null,
      rows_read_per_s: null,
      rows_written_per_s: null,
      cache_hit_ratio: null,
      connections: null,
      rows: null,
      replicas: [],
    };
    if (shard.status !== 'up') {
      this.reset();
      return { tick: base, totals: null };
    }
    try {
      const results = (await this.query()) as unknown as pg.QueryResult[];
      const [db, activity, tables, replication] = results.map((r) => r.rows) as [
        Record<string, string>[],
        { state: string; n: number }[],
        { relname: string; n_live_tup: string }[],
        { application_name: string; state: string; lag_ms: number | null; lag_bytes: number | null }[],
      ];
      const now: Counters = {
        at: performance.now(),
        xacts: Number(db[0]?.xacts ?? 0),
        blks_hit: Number(db[0]?.blks_hit ?? 0),
        blks_read: Number(db[0]?.blks_read ?? 0),
        rows_read: Number(db[0]?.rows_read ?? 0),
        rows_written: Number(db[0]?.rows_written ?? 0),
      };
      const tick = { ...base, ...this.rates(now) };
      const by = (s: string) => activity.find((a) => a.state === s)?.n ?? 0;
      tick.connections = {
        active: by('active'),
        idle: by('idle'),
        idle_in_transaction: by('idle in transaction') + by('idle in transaction (aborted)'),
        total: activity.reduce((s, a) => s + a.n, 0),
      };
      tick.rows = Object.fromEntries(tables.map((t) => [t.relname, Number(t.n_live_tup)]));
      tick.replicas = replication.map((r) => ({ name: r.application_name, state: r.state, lag_ms: r.lag_ms, lag_bytes: r.lag_bytes }));
      this.previous = now;
      return { tick, totals: { xacts: now.xacts, rows_read: now.rows_read, rows_written: now.rows_written } };
    } catch {
      this.reset();
      return { tick: base, totals: null };
    }
  }

  close(): void {
    this.reset();
  }

  private rates(now: Counters): Partial<ShardTick> {
    const p = this.previous;
    if (!p || now.xacts < p.xacts) return {}; // first sample, or statistics were reset
    const s = (now.at - p.at) / 1000;
    const per = (d: number) => Math.max(0, Math.round((d / s) * 10) / 10);
    const hits = now.blks_hit - p.blks_hit;
    const reads = now.blks_read - p.blks_read;
    return {
      queries_per_s: per(now.xacts - p.xacts - OWN_XACTS),
      rows_read_per_s: per(now.rows_read - p.rows_read),
      rows_written_per_s: per(now.rows_written - p.rows_written),
      cache_hit_ratio: hits + reads > 0 ? Math.round((hits / (hits + reads)) * 10_000) / 10_000 : null,
    };
  }

  private async query(): Promise<unknown> {
    if (!this.client) {
      const client = new pg.Client({
        connectionString: this.url,
        connectionTimeoutMillis: TIMEOUT_MS,
        query_timeout: TIMEOUT_MS,
        application_name: 'shard-lab-metrics',
      });
      client.on('error', () => this.reset());
      this.client = client;
      await client.connect();
    }
    return this.client.query(SAMPLE_SQL);
  }

  private reset(): void {
    const c = this.client;
    this.client = null;
    this.previous = null;
    if (c) c.end().catch(() => undefined);
  }
}
