import fs from 'node:fs';
import path from 'node:path';
import { Catalog } from '../catalog/catalog.js';
import type { LabConfig } from '../config.js';
import { EmbeddedServer, isAlive } from './embedded-server.js';
import { ClusterError } from './errors.js';
import { Faults } from './faults.js';
import { Handover } from './handover.js';
import { HealthMonitor } from './health-monitor.js';
import { ServerLayout } from './layout.js';
import { Replicas } from './replicas.js';
import { savedReplicas } from './replica-store.js';
import { ShardServers, startAll, stopOrphans } from './servers.js';
import { notOwned, redact, replicaName, shardIdOf, shardName, type ClusterMode, type Log } from './shard.js';
import { ShardPools } from './shard-pools.js';
import { ShardSet } from './shard-set.js';
import { readState } from './state-file.js';
import { latestRing, type ShardSpec } from './topology-store.js';

// The shard types consumers of the cluster name.
export type { ClusterMode, Log, ReplicaSpec, Shard, ShardInfo } from './shard.js';

/**
 * The lab's PostgreSQL servers: the shards (their processes when embedded, one `pg` pool each, their health)
 * and the catalog, the lab's own database. It is the set of shard records and their events, and composes
 * the parts that act on them; a consumer takes the part it needs:
 * - `servers`: adding, removing and following shards (their processes when embedded);
 * - `layout`: where embedded servers live (a new shard's address before it exists);
 * - `pools`: queries on a shard's pool, bulk connections;
 * - `health`: checking every shard and replica;
 * - `replicas`: each shard's streaming replica;
 * - `handover`: promoting a replica, holding a shard's queries meanwhile;
 * - `faults`: killing, pausing, resuming and restarting a shard's server.
 */
export class Cluster extends ShardSet {
  readonly pools: ShardPools;
  readonly health: HealthMonitor;
  readonly layout: ServerLayout;
  readonly replicas: Replicas;
  readonly servers: ShardServers;
  readonly handover: Handover;
  readonly faults: Faults;

  private constructor(
    readonly mode: ClusterMode,
    readonly catalog: Catalog,
    private readonly config: LabConfig,
    log: Log,
    /** Servers this process started besides the shards (the catalog), stopped on close. */
    private readonly ownServers: EmbeddedServer[],
  ) {
    super(log);
    this.pools = new ShardPools(this, config);
    this.health = new HealthMonitor(this);
    this.layout = new ServerLayout(this, config, ownServers);
    this.replicas = new Replicas(this, this.pools, this.layout, this.health, catalog.pool, mode, log);
    this.servers = new ShardServers(this, this.pools, this.layout, this.health, this.replicas, mode, log);
    this.handover = new Handover(this, this.replicas, this.pools, this.layout, this.health, mode, config, log);
    this.faults = new Faults(this, this.layout, this.health, config);
  }

  /** Starts (or finds) the servers named by the configuration and the catalog, and returns once every shard answers. */
  static async open(config: LabConfig, log: Log): Promise<Cluster> {
    const state = await readState(config.dataDir);
    if (!config.externalShards && state && state.owner_pid !== process.pid && isAlive(state.owner_pid) && state.catalog) {
      const catalog = await Catalog.open(state.catalog.url);
      const cluster = new Cluster('attached', catalog, config, log, []);
      for (const s of state.shards) cluster.servers.register({ id: shardIdOf(s.name), name: s.name, url: s.url, port: s.port }, null);
      for (const r of state.replicas) {
        const shard = cluster.shards.find((s) => r.name === replicaName(s));
        if (shard) cluster.replicas.attach(shard, r.url);
      }
      return cluster.ready();
    }
    if (state && !isAlive(state.owner_pid)) await stopOrphans(state, log);

    const catalogServer = config.catalogUrl
      ? null
      : new EmbeddedServer({ name: 'catalog', dataDir: path.join(config.dataDir, 'catalog'), port: config.catalogPort, initTemplate: config.initdbTemplate });
    if (catalogServer) await startAll([catalogServer]);
    let catalog: Catalog;
    try {
      catalog = await Catalog.open(catalogServer?.url ?? config.catalogUrl!);
    } catch (err) {
      await catalogServer?.stop();
      throw err;
    }
    const cluster = new Cluster(config.externalShards ? 'external' : 'embedded', catalog, config, log, catalogServer ? [catalogServer] : []);
    try {
      if (config.externalShards) {
        config.externalShards.forEach((url, i) => {
          const shard = cluster.servers.register({ id: i, name: shardName(i), url, port: null }, null);
          // A replica LAB_SHARDS names: reads go to it under the read policy; the lab does not run it.
          const replica = config.externalPeers[i]?.replica;
          if (replica) cluster.replicas.attach(shard, replica);
        });
      } else {
        await cluster.startEmbedded();
      }
      await cluster.layout.save();
    } catch (err) {
      await cluster.close();
      throw err;
    }
    return cluster.ready();
  }

  /**
   * A prefork worker's view: the ring's shards as the primary gave them (ids and names included) and the
   * catalog, its request pools under its own application_name; it starts and stops nothing.
   */
  static async attach(config: LabConfig, shards: ShardSpec[], catalogUrl: string, log: Log, applicationName?: string): Promise<Cluster> {
    const catalog = await Catalog.open(catalogUrl, { migrate: false });
    const cluster = new Cluster('attached', catalog, config, log, []);
    if (applicationName) cluster.pools.applicationName = applicationName;
    for (const s of shards) cluster.servers.register(s, null);
    return cluster.ready();
  }

  /** Whether this process can start and stop shard servers (add a shard, kill and restart one). */
  get ownsServers(): boolean {
    return this.mode === 'embedded';
  }

  /** Why `what` cannot be done in this mode, and what to do instead. */
  notOwned(what: string): string {
    return notOwned(this.mode, what);
  }

  /** Stops monitoring, closes pools and stops the servers this process started (by their pids). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.markClosed();
    this.health.stop();
    for (const s of this.shards) s.probe.close();
    await Promise.all(this.shards.map((s) => this.replicas.close(s, false)));
    await this.catalog.close();
    await Promise.all(this.shards.map((s) => s.pool.end().catch(() => undefined)));
    await this.pools.closeRetired();
    await Promise.all([...this.shards.map((s) => s.server?.stop()), ...this.ownServers.map((s) => s.stop())]);
    await this.layout.forget();
  }

  /** The embedded shards of the saved ring (or LAB_SHARD_COUNT new ones), each with its replica if it has one. */
  private async startEmbedded(): Promise<void> {
    const { config, catalog, log } = this;
    // A ring saved in the catalog wins over LAB_SHARD_COUNT: shards added at run time come back after a restart.
    const saved = await latestRing(catalog.pool);
    const specs = (saved?.shards ?? Array.from({ length: config.shardCount }, (_, i) => ({ id: i, slot: 0 as const }))).map((s) =>
      this.layout.spec(s.id, s.slot),
    );
    if (saved && saved.shards.length !== config.shardCount) {
      log(`Starting the ${saved.shards.length} shards of ring version ${saved.version} (not LAB_SHARD_COUNT=${config.shardCount}).`);
    }
    const servers = specs.map((s) => this.layout.server(s));
    await startAll(servers);
    specs.forEach((s, i) => {
      this.servers.register(s, servers[i]!);
    });
    // Replicas come back with their shards (the catalog lists them; a lab from before it did is read from
    // disk); LAB_REPLICAS=1 builds the missing ones.
    const recorded = new Set((await savedReplicas(catalog.pool)).map((r) => r.shard));
    for (const shard of this.shards) {
      const dir = this.layout.replicaPlace(shard).dataDir;
      if (fs.existsSync(path.join(dir, 'standby.signal'))) {
        await this.replicas.start(shard);
        continue;
      }
      if (recorded.has(shard.name)) {
        log(`${shard.name}: the catalog lists a replica, but ${dir} holds none; it is forgotten.`);
        await this.replicas.forget(shard);
      }
      if (config.replicas) await this.replicas.add(shard.id);
    }
  }

  private async ready(): Promise<Cluster> {
    try {
      await this.health.check();
      const down = this.shards.filter((s) => s.status !== 'up');
      if (down.length > 0 && this.mode !== 'embedded') {
        const detail = down.map((s) => `  ${s.name} (${redact(s.url)}): ${s.lastError}`).join('\n');
        throw new ClusterError(`Cannot reach ${down.length} of ${this.shards.length} shards:\n${detail}`);
      }
      this.health.start(this.config.healthIntervalMs);
      return this;
    } catch (err) {
      await this.close();
      throw err;
    }
  }
}
