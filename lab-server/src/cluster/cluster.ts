import { EventEmitter } from 'node:events';
import path from 'node:path';
import pg from 'pg';
import { Catalog } from '../catalog/catalog.js';
import type { LabConfig } from '../config.js';
import { EmbeddedServer, isAlive, postmasterPid } from './embedded-server.js';
import { ClusterError, isUnavailable, ShardUnavailableError } from './errors.js';
import { HealthProbe } from './health.js';
import { createPool } from './pools.js';
import { readState, removeState, writeState, type ClusterState, type ServerEntry } from './state-file.js';

export type ShardStatus = 'starting' | 'up' | 'down';
/** embedded: this process runs the servers; attached: another lab process does (`make up`); external: LAB_SHARDS. */
export type ClusterMode = 'embedded' | 'attached' | 'external';

export interface Shard {
  readonly id: number;
  readonly name: string;
  readonly url: string;
  readonly role: 'primary';
  readonly pool: pg.Pool;
  readonly server: EmbeddedServer | null;
  status: ShardStatus;
  lastError: string | null;
}

export interface ShardInfo {
  id: number;
  name: string;
  url: string;
  role: 'primary';
  status: ShardStatus;
  pid: number | null;
}

export type Log = (message: string) => void;

export interface ClusterEvents {
  status: [shard: ShardInfo, previous: ShardStatus];
}

export const shardName = (i: number): string => `shard-${i}`;

/**
 * The lab's PostgreSQL servers: the shards (their processes when embedded, one `pg` pool each, their health)
 * and the catalog, the lab's own database.
 */
export class Cluster extends EventEmitter<ClusterEvents> {
  private readonly probes: HealthProbe[];
  private healthTimer: NodeJS.Timeout | null = null;
  private closed = false;
  catalog!: Catalog;

  private constructor(
    readonly mode: ClusterMode,
    readonly shards: Shard[],
    private readonly config: LabConfig,
    private readonly log: Log,
    /** Servers this process started besides the shards (the catalog), stopped on close. */
    private readonly ownServers: EmbeddedServer[] = [],
  ) {
    super();
    this.probes = shards.map((s) => new HealthProbe(s.url, Math.max(1_000, config.healthIntervalMs * 2)));
    for (const shard of shards) {
      shard.server?.on('exit', (code: number | null, signal: string | null, expected: boolean) => {
        if (expected || this.closed) return;
        const how = signal ? `killed by ${signal}` : `exit code ${code}`;
        this.log(`${shard.name}: PostgreSQL exited unexpectedly (${how}); requests for its keys now get 503. Log: ${shard.server?.logFile}`);
        this.setStatus(shard, 'down', how);
      });
    }
  }

  /** Starts (or finds) the servers named by the configuration and returns once every one answers. */
  static async open(config: LabConfig, log: Log): Promise<Cluster> {
    const state = await readState(config.dataDir);
    if (!config.externalShards && state && state.owner_pid !== process.pid && isAlive(state.owner_pid) && state.catalog) {
      if (state.shards.length !== config.shardCount) {
        log(`Using the ${state.shards.length} shards already running (pid ${state.owner_pid}), not LAB_SHARD_COUNT=${config.shardCount}.`);
      }
      const shards = state.shards.map((s, i) => makeShard(i, s.url, null, config));
      return new Cluster('attached', shards, config, log).ready(state.catalog.url);
    }
    if (state && !isAlive(state.owner_pid)) await stopOrphans(state, log);

    // Everything this process must run itself: the shards unless external, the catalog unless LAB_CATALOG_URL.
    const shardServers = config.externalShards
      ? []
      : Array.from({ length: config.shardCount }, (_, i) =>
          new EmbeddedServer({ name: shardName(i), dataDir: path.join(config.dataDir, shardName(i)), port: config.shardBasePort + i }),
        );
    const catalogServer = config.catalogUrl
      ? null
      : new EmbeddedServer({ name: 'catalog', dataDir: path.join(config.dataDir, 'catalog'), port: config.catalogPort });
    const own = catalogServer ? [...shardServers, catalogServer] : shardServers;
    await startAll(own);
    const shards = config.externalShards
      ? config.externalShards.map((url, i) => makeShard(i, url, null, config))
      : shardServers.map((s, i) => makeShard(i, s.url, s, config));
    const cluster = new Cluster(config.externalShards ? 'external' : 'embedded', shards, config, log, catalogServer ? [catalogServer] : []);
    if (own.length > 0) {
      await writeState(config.dataDir, {
        owner_pid: process.pid,
        started_at: new Date().toISOString(),
        shards: shardServers.map(entry),
        catalog: catalogServer ? entry(catalogServer) : null,
      });
    }
    return cluster.ready(catalogServer?.url ?? config.catalogUrl!);
  }

  /** Connects the catalog and checks every shard; on failure closes what was opened and stopped what was started. */
  private async ready(catalogUrl: string): Promise<Cluster> {
    try {
      this.catalog = await Catalog.open(catalogUrl);
      await this.startMonitoring();
      return this;
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  shard(id: number): Shard {
    const shard = this.shards[id];
    if (!shard) throw new RangeError(`no shard ${id}`);
    return shard;
  }

  info(): ShardInfo[] {
    return this.shards.map(toInfo);
  }

  /** Runs `fn` on a shard's pool; an outage becomes ShardUnavailableError (HTTP 503) naming the shard. */
  async onShard<T>(id: number, fn: (pool: pg.Pool) => Promise<T>): Promise<T> {
    const shard = this.shard(id);
    try {
      return await fn(shard.pool);
    } catch (err) {
      if (isUnavailable(err) || (err instanceof Error && /Query read timeout/.test(err.message))) {
        this.setStatus(shard, 'down', err instanceof Error ? err.message : String(err));
        throw new ShardUnavailableError(shard.name, err);
      }
      throw err;
    }
  }

  /**
   * A connection outside the pool for bulk work (COPY, backfills): no statement or read timeout, which
   * protect request traffic but would cut a long load short. The caller ends it.
   */
  async connectBulk(id: number, applicationName = 'shard-lab-bulk'): Promise<pg.Client> {
    const shard = this.shard(id);
    const client = new pg.Client({ connectionString: shard.url, application_name: applicationName, options: '-c TimeZone=UTC' });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return client;
    } catch (err) {
      await client.end().catch(() => undefined);
      if (isUnavailable(err)) throw new ShardUnavailableError(shard.name, err);
      throw err;
    }
  }

  /** Checks every shard now (the monitor also does this on its own interval). */
  async checkHealth(): Promise<void> {
    await Promise.all(
      this.shards.map(async (shard, i) => {
        const { ok, error } = await this.probes[i]!.check();
        if (this.closed) return;
        this.setStatus(shard, ok ? 'up' : 'down', error);
      }),
    );
  }

  /** Stops monitoring, closes pools and stops the servers this process started (by their pids). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.healthTimer) clearInterval(this.healthTimer);
    for (const p of this.probes) p.close();
    await this.catalog?.close();
    await Promise.all(this.shards.map((s) => s.pool.end().catch(() => undefined)));
    await Promise.all([...this.shards.map((s) => s.server?.stop()), ...this.ownServers.map((s) => s.stop())]);
    await removeState(this.config.dataDir, process.pid);
  }

  private async startMonitoring(): Promise<void> {
    await this.checkHealth();
    const down = this.shards.filter((s) => s.status !== 'up');
    if (down.length > 0 && this.mode !== 'embedded') {
      const detail = down.map((s) => `  ${s.name} (${redact(s.url)}): ${s.lastError}`).join('\n');
      throw new ClusterError(`Cannot reach ${down.length} of ${this.shards.length} shards:\n${detail}`);
    }
    this.healthTimer = setInterval(() => void this.checkHealth(), this.config.healthIntervalMs);
    this.healthTimer.unref();
  }

  private setStatus(shard: Shard, status: ShardStatus, error: string | null): void {
    shard.lastError = status === 'up' ? null : error;
    if (shard.status === status) return;
    const previous = shard.status;
    shard.status = status;
    if (previous !== 'starting') this.log(`${shard.name}: ${previous} -> ${status}${error ? ` (${error})` : ''}`);
    this.emit('status', toInfo(shard), previous);
  }
}

function makeShard(id: number, url: string, server: EmbeddedServer | null, config: LabConfig): Shard {
  return { id, name: shardName(id), url, role: 'primary', pool: createPool(url, config.pool), server, status: 'starting', lastError: null };
}

function toInfo(s: Shard): ShardInfo {
  return { id: s.id, name: s.name, url: s.url, role: s.role, status: s.status, pid: s.server?.pid ?? null };
}

function redact(url: string): string {
  return url.replace(/:\/\/([^:@/]+):[^@/]*@/, '://$1:***@');
}

async function startAll(servers: EmbeddedServer[]): Promise<void> {
  const results = await Promise.allSettled(
    servers.map(async (s) => {
      await s.init();
      await s.start();
    }),
  );
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (failures.length > 0) {
    await Promise.all(servers.map((s) => s.stop()));
    throw new ClusterError(failures.map((f) => (f instanceof Error ? f.message : String(f))).join('\n'));
  }
}

const entry = (s: EmbeddedServer): ServerEntry => ({ name: s.spec.name, port: s.spec.port, url: s.url, pid: s.pid, data_dir: s.spec.dataDir });

/** Servers left running by a lab process that died without cleaning up (SIGKILL, power loss): stop them by pid. */
export async function stopOrphans(state: ClusterState, log: Log): Promise<void> {
  const servers = state.catalog ? [...state.shards, state.catalog] : state.shards;
  await Promise.all(
    servers.map(async (s) => {
      if (s.pid === null || !isAlive(s.pid) || (await postmasterPid(s.data_dir)) !== s.pid) return;
      log(`${s.name}: stopping PostgreSQL pid ${s.pid} left running by an earlier lab that did not shut down.`);
      process.kill(s.pid, 'SIGINT');
      for (let i = 0; i < 150 && isAlive(s.pid); i++) await new Promise((r) => setTimeout(r, 100));
      if (isAlive(s.pid)) process.kill(s.pid, 'SIGKILL');
    }),
  );
}
