// Over 400 lines on purpose: one object owns the PgBouncers (the lab's own or the ones given by URL) and the
// routing of the API through them, so the demonstrations and the many-clients trial can never run against a
// PgBouncer that a mode change is replacing; the processes themselves live in pgbouncer.ts.
import path from 'node:path';
import pg from 'pg';
import type { Shard } from '../cluster/shard.js';
import type { ShardPools } from '../cluster/shard-pools.js';
import { ConflictError } from '../domain/errors.js';
import { DEMO_DATABASE, GivenBouncer, PgBouncer, type Bouncer, type PoolMode } from './pgbouncer.js';
import { StatementTrials } from './statements-trial.js';

export type PoolingMode = 'off' | PoolMode;

/** The parts of the cluster pooling touches: the shards whose API pool it swaps, and the pool factory. */
export interface PoolingCluster {
  readonly shards: readonly Shard[];
  readonly pools: Pick<ShardPools, 'pool'>;
  readonly ownsServers: boolean;
}

export interface PoolingStatus {
  /** Where the pgbouncer binary is; null when it is not installed (then nothing here can run). */
  binary: string | null;
  version: string | null;
  mode: PoolingMode;
  pool_size: number | null;
  /** True when the PgBouncers are LAB_SHARDS's (`…|pgbouncer=URL`): the lab routes through them, and starts and stops none. */
  given: boolean;
  bouncers: {
    shard: string;
    port: number;
    pid: number | null;
    /** From SHOW POOLS for the shard's database: client connections active and waiting, server connections active and idle. */
    clients_active: number;
    clients_waiting: number;
    servers_active: number;
    servers_idle: number;
    /** From SHOW STATS: transactions and queries pooled since it started. */
    transactions: number;
    queries: number;
  }[];
}

export interface DemoResult {
  feature: string;
  mode: PoolMode;
  /** True when the feature did not behave as on a direct connection. */
  broke: boolean;
  /** What the lab saw, in a sentence. */
  observed: string;
  fix: string;
}

export interface ClientsResult {
  clients: number;
  mode: PoolMode;
  /** The shard's max_connections: what direct clients run into. */
  max_connections: number;
  /** Straight to the shard's server: how many connected before PostgreSQL refused (at most max_connections + 50 tried). */
  direct: { tried: number; connected: number; refused: number; error: string | null };
  /** Through its PgBouncer: every client connected and ran one query while all stayed connected. */
  pooled: { connected: number; refused: number; queries_ok: number; queries_failed: number; server_connections: number; error: string | null; ms: number };
}

/** Direct clients tried beyond max_connections: enough to show the refusals, few enough not to starve the lab for long. */
const DIRECT_EXTRA = 50;
/** Connections opened at once, so a burst does not trip the listen backlog. */
const BATCH = 100;

const num = (v: string | undefined) => (v === undefined ? 0 : Number(v));
export const INSTALL_HINT = 'PgBouncer is not installed: on Debian or Ubuntu, `sudo apt-get install pgbouncer`; then restart the lab.';

/**
 * A PgBouncer in front of every shard, run by this lab: the API's queries to a shard go through it (its pool is
 * swapped for one pointing at PgBouncer), everything else (health probes, replicas, migrations' bulk work)
 * still connects directly. Optional: without the binary, `set` refuses and says what to install.
 */
export class Pooling {
  private bouncers = new Map<number, Bouncer>();
  private current: PoolingMode = 'off';
  private poolSize: number | null = null;
  private changing: Promise<unknown> = Promise.resolve();
  private lastClients: ClientsResult | null = null;
  /** The API's named statements against this pool mode; a result belongs to the mode it ran under. */
  readonly statements = new StatementTrials();

  constructor(
    private readonly cluster: PoolingCluster,
    private readonly dataDir: string,
    readonly binary: string | null,
    readonly version: string | null,
    /** The API pools' statement timeout now: PgBouncer sets it on its server connections. */
    private readonly statementTimeoutMs: () => number = () => 0,
    /** PgBouncers LAB_SHARDS names, by shard id: the lab routes through them and runs none of its own. */
    private readonly given: ReadonlyMap<number, string> = new Map(),
  ) {}

  /** Routes the API through the PgBouncers LAB_SHARDS names, in the pool mode they run; once, at start. */
  async adoptGiven(): Promise<void> {
    for (const shard of this.cluster.shards) {
      const url = this.given.get(shard.id);
      if (!url) continue;
      const b = new GivenBouncer(url);
      this.bouncers.set(shard.id, b);
      await this.swapPool(shard, b.url());
      const mode = await b.mode().catch(() => 'session');
      this.current = mode === 'transaction' ? 'transaction' : 'session';
    }
  }

  private get hasGiven(): boolean {
    return this.given.size > 0;
  }

  get mode(): PoolingMode {
    return this.current;
  }

  /** Turns pooling off, or (re)starts one PgBouncer per shard in that mode; one change at a time. */
  set(mode: PoolingMode, poolSize: number): Promise<void> {
    const run = this.changing.catch(() => undefined).then(() => this.apply(mode, poolSize));
    this.changing = run;
    return run;
  }

  private async apply(mode: PoolingMode, poolSize: number): Promise<void> {
    if (this.hasGiven) {
      // Nothing of the lab's runs to turn off (a chapter's reset asks for that); the given PgBouncers stay in place.
      if (mode === 'off') return;
      throw new ConflictError(
        'not_available',
        'The PgBouncers in front of the shards are yours (LAB_SHARDS …|pgbouncer=URL): the lab routes through them but does not start, stop or configure them. Change pool_mode and default_pool_size in their pgbouncer.ini and RELOAD them on their admin console; restart the lab to read the new mode.',
      );
    }
    if (mode !== 'off' && !this.binary) throw new ConflictError('pgbouncer_missing', INSTALL_HINT);
    if (mode !== 'off' && !this.cluster.ownsServers)
      throw new ConflictError('not_available', 'This lab runs PgBouncer only in front of servers it runs itself.');
    await this.stopAll();
    this.lastClients = null;
    this.statements.forget();
    if (mode === 'off') return;
    const started: [Shard, PgBouncer][] = [];
    try {
      for (const shard of this.cluster.shards) {
        const u = new URL(shard.url);
        const b = new PgBouncer(this.binary!, {
          name: `${shard.name}-pgbouncer`,
          dir: path.join(this.dataDir, 'pgbouncer', shard.name),
          server: {
            host: u.hostname,
            port: Number(u.port),
            database: u.pathname.slice(1),
            user: decodeURIComponent(u.username),
            password: decodeURIComponent(u.password),
          },
          mode,
          poolSize,
          maxClientConn: 10_000,
          statementTimeoutMs: this.statementTimeoutMs(),
        });
        await b.start();
        started.push([shard, b]);
      }
    } catch (err) {
      for (const [, b] of started) await b.stop();
      throw err;
    }
    for (const [shard, b] of started) {
      this.bouncers.set(shard.id, b);
      await this.swapPool(shard, b.url());
    }
    this.current = mode;
    this.poolSize = poolSize;
  }

  /** The API's queries go through PgBouncer from here on; the old pool ends once its queries have. */
  private async swapPool(shard: Shard, url: string): Promise<void> {
    const old = shard.pool;
    shard.pool = this.cluster.pools.pool(url);
    await old.end().catch(() => undefined);
  }

  private async stopAll(): Promise<void> {
    for (const shard of this.cluster.shards) {
      const b = this.bouncers.get(shard.id);
      if (!b) continue;
      await this.swapPool(shard, shard.url);
      await b.stop();
    }
    // Bouncers of shards that left the cluster meanwhile.
    for (const b of this.bouncers.values()) await b.stop();
    this.bouncers.clear();
    this.current = 'off';
    this.poolSize = null;
  }

  async close(): Promise<void> {
    await this.changing.catch(() => undefined);
    await this.stopAll();
  }

  async status(): Promise<PoolingStatus> {
    const bouncers = await Promise.all(
      this.cluster.shards.flatMap((shard) => {
        const b = this.bouncers.get(shard.id);
        if (!b) return [];
        return [
          (async () => {
            const [pools, stats] = await Promise.all([b.admin('SHOW POOLS'), b.admin('SHOW STATS')]);
            const db = b.database;
            const p = pools.find((r) => r.database === db);
            const s = stats.find((r) => r.database === db);
            return {
              shard: shard.name,
              port: b.port,
              pid: b.pid,
              clients_active: num(p?.cl_active),
              clients_waiting: num(p?.cl_waiting),
              servers_active: num(p?.sv_active),
              servers_idle: num(p?.sv_idle),
              transactions: num(s?.total_xact_count),
              queries: num(s?.total_query_count),
            };
          })(),
        ];
      }),
    );
    return { binary: this.binary, version: this.version, mode: this.current, pool_size: this.poolSize, given: this.hasGiven, bouncers };
  }

  /** The last many-clients run under the current pool mode, or null. */
  clientsResult(): ClientsResult | null {
    return this.lastClients;
  }

  /**
   * Many clients against one shard (the first), straight and through its PgBouncer: straight, PostgreSQL refuses
   * the connections beyond max_connections; through PgBouncer every client connects, all stay connected, and
   * each runs a query — in transaction mode over the pool's few server connections; in session mode each
   * client keeps one, so those beyond the pool wait and time out.
   */
  async manyClients(n: number): Promise<ClientsResult> {
    const first = this.cluster.shards[0];
    const b = first ? this.bouncers.get(first.id) : undefined;
    if (this.current === 'off' || !b || !first) throw new ConflictError('pooling_off', 'Pooling is off: start PgBouncer first (session or transaction mode).');
    const mode = this.current;
    const maxConnections = Number((await first.pool.query<{ max_connections: string }>('SHOW max_connections')).rows[0]!.max_connections);

    const tried = Math.min(n, maxConnections + DIRECT_EXTRA);
    const direct = await openClients(first.url, tried, 5_000);
    await closeAll(direct.clients);

    const started = performance.now();
    const pooled = await openClients(b.url(), n, 10_000);
    let ok = 0;
    let failed = 0;
    let queryError: string | null = null;
    let servers = 0;
    try {
      await Promise.all(
        pooled.clients.map(async (c) => {
          try {
            await c.query('SELECT 1');
            ok++;
          } catch (err) {
            failed++;
            queryError ??= (err as Error).message;
          }
        }),
      );
      const pools = await b.admin('SHOW POOLS');
      const p = pools.find((r) => r.database === b.database);
      servers = num(p?.sv_active) + num(p?.sv_idle) + num(p?.sv_used) + num(p?.sv_tested) + num(p?.sv_login);
    } finally {
      await closeAll(pooled.clients);
    }
    this.lastClients = {
      clients: n,
      mode,
      max_connections: maxConnections,
      direct: { tried, connected: direct.clients.length, refused: direct.refused, error: direct.error },
      pooled: {
        connected: pooled.clients.length,
        refused: pooled.refused,
        queries_ok: ok,
        queries_failed: failed,
        server_connections: servers,
        error: pooled.error ?? queryError,
        ms: Math.round(performance.now() - started),
      },
    };
    return this.lastClients;
  }

  /**
   * Reproduces what transaction pooling breaks, on the first shard's PgBouncer, in its own two-connection pool:
   * client A does something a session remembers, client B then holds the server connection A used (an open
   * transaction), and A's next statement runs on the other server connection. Under session pooling A keeps
   * its server connection, so the same steps work.
   */
  async demonstrate(): Promise<DemoResult[]> {
    const first = this.cluster.shards[0];
    const b = first ? this.bouncers.get(first.id) : undefined;
    if (this.hasGiven) {
      throw new ConflictError(
        'not_available',
        `The demonstrations need a small pool of their own (the database ${DEMO_DATABASE}) on PgBouncers the lab runs; yours (LAB_SHARDS …|pgbouncer=URL) have none. Run the lab on its own servers (make dev) to see them.`,
      );
    }
    if (this.current === 'off' || !b) throw new ConflictError('pooling_off', 'Pooling is off: start PgBouncer first (session or transaction mode).');
    const mode = this.current;
    // Fresh server connections: a previous run under transaction pooling left its SET and its prepared statement on them.
    await b.admin(`KILL ${DEMO_DATABASE}`);
    await b.admin(`RESUME ${DEMO_DATABASE}`);
    return [
      await withTwo(b, async (a, other) => {
        await a.query("SET work_mem = '7MB'");
        await other.query('BEGIN');
        await other.query('SELECT 1');
        const seen = (await a.query<{ work_mem: string }>('SHOW work_mem')).rows[0]!.work_mem;
        const leaked = (await other.query<{ work_mem: string }>('SHOW work_mem')).rows[0]!.work_mem;
        await other.query('ROLLBACK');
        return {
          feature: 'SET (session settings)',
          mode,
          broke: seen !== '7MB',
          observed:
            seen === '7MB'
              ? `A set work_mem to 7MB and still sees ${seen}.`
              : `A set work_mem to 7MB, then sees ${seen}; B, on A's old server connection, sees ${leaked} — the setting leaked to another client.`,
          fix: 'SET LOCAL inside a transaction, or the setting on the role or database (ALTER ROLE … SET).',
        };
      }),
      await withTwo(b, async (a, other) => {
        await a.query({ name: 'demo_statement', text: 'SELECT 42 AS answer' });
        await other.query('BEGIN');
        await other.query('SELECT 1');
        let observed: string;
        let broke = false;
        try {
          const r = await a.query<{ answer: number }>({ name: 'demo_statement', text: 'SELECT 42 AS answer' });
          observed = `A prepared demo_statement, then executed it again: ${r.rows[0]!.answer}.`;
        } catch (err) {
          broke = true;
          observed = `A prepared demo_statement, then executing it failed: ${(err as Error).message}.`;
        }
        await other.query('ROLLBACK');
        return {
          feature: 'named prepared statements',
          mode,
          broke,
          observed,
          fix: 'Unnamed statements (the original turns GORM’s PrepareStmt off), or PgBouncer 1.21 or later with max_prepared_statements set.',
        };
      }),
      await withTwo(b, async (a, other) => {
        await a.query('SELECT pg_advisory_lock(4242)');
        await other.query('BEGIN');
        await other.query('SELECT 1');
        const released = (await a.query<{ ok: boolean }>('SELECT pg_advisory_unlock(4242) AS ok')).rows[0]!.ok;
        // Whatever happened, the lock must not outlive the demonstration on a pooled server connection.
        await other.query('SELECT pg_advisory_unlock_all()');
        await other.query('ROLLBACK');
        return {
          feature: 'session advisory locks',
          mode,
          broke: !released,
          observed: released
            ? 'A took advisory lock 4242 and released it.'
            : 'A took advisory lock 4242, then could not release it: the unlock ran on another server connection, and the lock stayed with the one B had.',
          fix: 'pg_advisory_xact_lock inside a transaction: it is released at commit, on the same server connection.',
        };
      }),
    ];
  }
}

/** Opens `n` clients to `url` in batches; resolves with those that connected and the first error. */
async function openClients(url: string, n: number, timeoutMs: number): Promise<{ clients: pg.Client[]; refused: number; error: string | null }> {
  const clients: pg.Client[] = [];
  let refused = 0;
  let error: string | null = null;
  for (let i = 0; i < n; i += BATCH) {
    await Promise.all(
      Array.from({ length: Math.min(BATCH, n - i) }, async () => {
        const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
        c.on('error', () => undefined);
        try {
          await c.connect();
          clients.push(c);
        } catch (err) {
          refused++;
          error ??= (err as Error).message;
          await c.end().catch(() => undefined);
        }
      }),
    );
  }
  return { clients, refused, error };
}

const closeAll = (clients: pg.Client[]) => Promise.all(clients.map((c) => c.end().catch(() => undefined)));

async function withTwo(b: Bouncer, fn: (a: pg.Client, other: pg.Client) => Promise<DemoResult>): Promise<DemoResult> {
  const a = new pg.Client({ connectionString: b.url(DEMO_DATABASE) });
  const other = new pg.Client({ connectionString: b.url(DEMO_DATABASE) });
  // A client the bouncer drops (a server connection gone) reports on its next query; nothing to do here.
  a.on('error', () => undefined);
  other.on('error', () => undefined);
  await a.connect();
  await other.connect();
  try {
    return await fn(a, other);
  } finally {
    await a.end().catch(() => undefined);
    await other.end().catch(() => undefined);
  }
}
