import fsp from 'node:fs/promises';
import { isAlive, postmasterPid, type EmbeddedServer } from './embedded-server.js';
import { ClusterError } from './errors.js';
import type { HealthMonitor } from './health-monitor.js';
import type { ServerLayout } from './layout.js';
import type { Replicas } from './replicas.js';
import { notOwned, redact, shardName, type ClusterMode, type Log, type Prepare, type Shard } from './shard.js';
import type { ShardPools } from './shard-pools.js';
import type { ShardSet } from './shard-set.js';
import type { ClusterState } from './state-file.js';
import type { ShardSpec } from './topology-store.js';

/**
 * Which shards the cluster has, while it runs: a shard's record opened on its server, a new server started (or
 * an existing one taken in) as a shard, a shard taken out, and a worker's shards kept in step with a ring.
 */
export class ShardServers {
  constructor(
    private readonly set: ShardSet,
    private readonly pools: ShardPools,
    private readonly layout: ServerLayout,
    private readonly health: HealthMonitor,
    private readonly replicas: Replicas,
    private readonly mode: ClusterMode,
    private readonly log: Log,
  ) {}

  /** Adds a shard served at `spec.url` to the set; `server` is null when this process does not run it. */
  register(spec: ShardSpec, server: EmbeddedServer | null): Shard {
    if (this.set.hasId(spec.id)) throw new ClusterError(`${spec.name} is already in the cluster`);
    const shard: Shard = {
      id: spec.id,
      name: spec.name,
      url: spec.url,
      role: 'primary',
      pool: this.pools.pool(spec.url),
      server,
      probe: this.pools.probe(spec.url),
      slot: spec.slot ?? 0,
      status: 'starting',
      lastError: null,
      replica: null,
      handover: null,
    };
    this.set.add(shard);
    return shard;
  }

  /**
   * Starts a new embedded shard server (initdb on first use), runs `prepare` on it (the migrations), and only
   * then adds it to the cluster, so nothing that walks the shards meets a server without its schema. It takes
   * no traffic until a ring names it. If `prepare` fails, the server is stopped and its data removed.
   */
  async addEmbedded(id: number, prepare: Prepare): Promise<Shard> {
    if (this.mode !== 'embedded') throw new ClusterError(notOwned(this.mode, 'Starting a new shard server'));
    const spec = this.layout.spec(id);
    const server = this.layout.server(spec);
    await startAll([server]);
    try {
      await prepare({ name: spec.name, url: spec.url });
    } catch (err) {
      await server.stop();
      await fsp.rm(server.spec.dataDir, { recursive: true, force: true });
      throw err;
    }
    const shard = this.register(spec, server);
    await this.afterAdd(shard);
    return shard;
  }

  /** Adds an existing server (external mode) as a shard, once it answers and `prepare` has run on it. */
  async addExternal(id: number, url: string, prepare: Prepare): Promise<Shard> {
    const name = shardName(id);
    const probe = this.pools.probe(url);
    const { ok, error } = await probe.check();
    probe.close();
    if (!ok) throw new ClusterError(`${name} (${redact(url)}) does not answer: ${error}`);
    await prepare({ name, url });
    const shard = this.register({ id, name, url, port: null }, null);
    await this.afterAdd(shard);
    return shard;
  }

  /** Takes a shard out: closes its pool, stops its server (by pid) and optionally deletes its data directory. */
  async remove(id: number, opts: { deleteData: boolean }): Promise<void> {
    const shard = this.set.shard(id);
    await this.replicas.close(shard, opts.deleteData);
    this.set.delete(shard);
    shard.probe.close();
    await shard.pool.end().catch(() => undefined);
    await shard.server?.stop();
    if (opts.deleteData && shard.server) {
      await fsp.rm(shard.server.spec.dataDir, { recursive: true, force: true });
      await fsp.rm(shard.server.logFile, { force: true });
    }
    await this.layout.save();
    this.set.announce();
  }

  /**
   * An attached cluster (a prefork worker) follows the primary's ring: shards it lacks are added, shards the
   * ring no longer names are closed, and a shard whose address changed (a promoted replica) gets a new pool.
   */
  async follow(specs: ShardSpec[]): Promise<void> {
    for (const spec of specs) {
      const shard = this.set.shards.find((s) => s.id === spec.id);
      if (!shard) this.register(spec, null);
      else if (shard.url !== spec.url) await this.pools.repoint(shard, spec.url);
    }
    for (const shard of [...this.set.shards]) if (!specs.some((s) => s.id === shard.id)) await this.remove(shard.id, { deleteData: false });
    await this.health.check();
  }

  private async afterAdd(shard: Shard): Promise<void> {
    await this.layout.save();
    await this.health.check();
    this.set.announce();
    if (shard.status !== 'up') this.log(`${shard.name} added but not answering: ${shard.lastError}`);
  }
}

/** Initialises (on first use) and starts the servers; if any fails, all are stopped. */
export async function startAll(servers: EmbeddedServer[]): Promise<void> {
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

/** Servers left running by a lab process that died without cleaning up (SIGKILL, power loss): stop them by pid. */
export async function stopOrphans(state: ClusterState, log: Log): Promise<void> {
  const servers = [...state.shards, ...state.replicas, ...(state.catalog ? [state.catalog] : [])];
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
