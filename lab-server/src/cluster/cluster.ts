import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { Catalog } from '../catalog/catalog.js';
import type { LabConfig } from '../config.js';
import { EmbeddedServer, isAlive, postmasterPid } from './embedded-server.js';
import { ClusterError, isMoving, isPoolTimeout, isUnavailable, ShardBusyError, ShardMovingError, ShardRemovedError, ShardUnavailableError } from './errors.js';
import { HealthProbe } from './health.js';
import { createPool } from './pools.js';
import { buildReplica, replicaLag, replicaSlot, type ReplicaLag } from './replica.js';
import { readState, removeState, writeState, type ClusterState, type ServerEntry } from './state-file.js';
import { HANDOVER_DRAIN_MS, idle, waitForReplay, walPosition, type Promotion } from './handover.js';
import { forgetReplica, saveReplica, savedReplicas } from './replica-store.js';
import { latestRing, type ShardSpec } from './topology-store.js';

export type ShardStatus = 'starting' | 'up' | 'down' | 'paused';
/** embedded: this process runs the servers; attached: another lab process does (`make up`); external: LAB_SHARDS. */
export type ClusterMode = 'embedded' | 'attached' | 'external';

export interface Replica {
  readonly name: string;
  readonly url: string;
  readonly pool: pg.Pool;
  /** Null when another lab process runs it (attached mode). */
  readonly server: EmbeddedServer | null;
  readonly probe: HealthProbe;
  status: 'up' | 'down';
  lag: ReplicaLag;
}

/**
 * One shard as the lab routes to it. Its primary's address, pool, server and probe change when a replica is
 * promoted; the id and name, which the ring routes by, never do.
 */
export interface Shard {
  readonly id: number;
  readonly name: string;
  url: string;
  readonly role: 'primary';
  pool: pg.Pool;
  server: EmbeddedServer | null;
  probe: HealthProbe;
  /** Which of the shard's two server directories holds the primary (see ShardSpec.slot). */
  slot: 0 | 1;
  status: ShardStatus;
  lastError: string | null;
  replica: Replica | null;
  /** Set while the shard is held (see Cluster.hold): its queries wait for it rather than meet a server stopping. */
  handover: Promise<void> | null;
}

export interface ReplicaInfo {
  name: string;
  url: string;
  role: 'replica';
  status: 'up' | 'down';
  pid: number | null;
  lag_bytes: number | null;
  lag_seconds: number | null;
  state: string | null;
}

/** A shard's replica by address alone: what a process that runs no server needs to read from it. */
export interface ReplicaSpec {
  shard: number;
  url: string;
}

export interface ShardInfo {
  id: number;
  name: string;
  url: string;
  role: 'primary';
  status: ShardStatus;
  pid: number | null;
  replicas: ReplicaInfo[];
}

export type Log = (message: string) => void;

/** Work on a new shard's server before the cluster lists it (bringing its schema up to date). */
export type Prepare = (server: { name: string; url: string }) => Promise<void>;

export interface ClusterEvents {
  status: [shard: ShardInfo, previous: ShardStatus];
  shards: [shards: ShardInfo[]];
}

export const shardName = (id: number): string => `shard-${id}`;
export const shardIdOf = (name: string): number => Number(/^shard-(\d+)$/.exec(name)?.[1] ?? NaN);
const replicaName = (shard: { name: string }): string => `${shard.name}-replica`;

/**
 * The lab's PostgreSQL servers: the shards (their processes when embedded, one `pg` pool each, their health)
 * and the catalog, the lab's own database. Shards can be added and removed while it runs.
 */
export class Cluster extends EventEmitter<ClusterEvents> {
  private healthTimer: NodeJS.Timeout | null = null;
  private readonly holds = new Map<Shard, { count: number; resolve: () => void }>();
  private closed = false;
  readonly shards: Shard[] = [];

  private constructor(
    readonly mode: ClusterMode,
    readonly catalog: Catalog,
    private readonly config: LabConfig,
    private readonly log: Log,
    /** Servers this process started besides the shards (the catalog), stopped on close. */
    private readonly ownServers: EmbeddedServer[],
  ) {
    super();
  }

  /** Starts (or finds) the servers named by the configuration and the catalog, and returns once every shard answers. */
  static async open(config: LabConfig, log: Log): Promise<Cluster> {
    const state = await readState(config.dataDir);
    if (!config.externalShards && state && state.owner_pid !== process.pid && isAlive(state.owner_pid) && state.catalog) {
      const catalog = await Catalog.open(state.catalog.url);
      const cluster = new Cluster('attached', catalog, config, log, []);
      for (const s of state.shards) cluster.register({ id: shardIdOf(s.name), name: s.name, url: s.url, port: s.port }, null);
      for (const r of state.replicas) {
        const shard = cluster.shards.find((s) => r.name === replicaName(s));
        if (shard) cluster.registerReplica(shard, null, r.url);
      }
      return cluster.ready();
    }
    if (state && !isAlive(state.owner_pid)) await stopOrphans(state, log);

    const catalogServer = config.catalogUrl
      ? null
      : new EmbeddedServer({ name: 'catalog', dataDir: path.join(config.dataDir, 'catalog'), port: config.catalogPort });
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
        config.externalShards.forEach((url, i) => cluster.register({ id: i, name: shardName(i), url, port: null }, null));
      } else {
        // A ring saved in the catalog wins over LAB_SHARD_COUNT: shards added at run time come back after a restart.
        const saved = await latestRing(catalog.pool);
        const specs = (saved?.shards ?? Array.from({ length: config.shardCount }, (_, i) => ({ id: i, slot: 0 as const }))).map((s) => cluster.embeddedSpec(s.id, s.slot));
        if (saved && saved.shards.length !== config.shardCount) {
          log(`Starting the ${saved.shards.length} shards of ring version ${saved.version} (not LAB_SHARD_COUNT=${config.shardCount}).`);
        }
        const servers = specs.map((s) => cluster.embeddedServer(s));
        await startAll(servers);
        specs.forEach((s, i) => cluster.register(s, servers[i]!));
        // Replicas come back with their shards (the catalog lists them; a lab from before it did is read from
        // disk); LAB_REPLICAS=1 builds the missing ones.
        const recorded = new Set((await savedReplicas(catalog.pool)).map((r) => r.shard));
        for (const shard of cluster.shards) {
          const dir = cluster.replicaPlace(shard).dataDir;
          if (fs.existsSync(path.join(dir, 'standby.signal'))) {
            await cluster.startReplica(shard);
            continue;
          }
          if (recorded.has(shard.name)) {
            log(`${shard.name}: the catalog lists a replica, but ${dir} holds none; it is forgotten.`);
            await forgetReplica(catalog.pool, shard.name);
          }
          if (config.replicas) await cluster.addReplica(shard.id);
        }
      }
      await cluster.saveState();
    } catch (err) {
      await cluster.close();
      throw err;
    }
    return cluster.ready();
  }

  /**
   * A prefork worker's view: the ring's shards as the primary gave them (ids and names included) and the
   * catalog; it starts and stops nothing.
   */
  static async attach(config: LabConfig, shards: ShardSpec[], catalogUrl: string, log: Log): Promise<Cluster> {
    const catalog = await Catalog.open(catalogUrl, { migrate: false });
    const cluster = new Cluster('attached', catalog, config, log, []);
    for (const s of shards) cluster.register(s, null);
    return cluster.ready();
  }

  private async ready(): Promise<Cluster> {
    try {
      await this.checkHealth();
      const down = this.shards.filter((s) => s.status !== 'up');
      if (down.length > 0 && this.mode !== 'embedded') {
        const detail = down.map((s) => `  ${s.name} (${redact(s.url)}): ${s.lastError}`).join('\n');
        throw new ClusterError(`Cannot reach ${down.length} of ${this.shards.length} shards:\n${detail}`);
      }
      this.healthTimer = setInterval(() => void this.checkHealth(), this.config.healthIntervalMs);
      this.healthTimer.unref();
      return this;
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  /** Whether this process can start and stop shard servers (add a shard, kill and restart one). */
  get ownsServers(): boolean {
    return this.mode === 'embedded';
  }

  /** Why `what` cannot be done in this mode, and what to do instead. */
  notOwned(what: string): string {
    const hint =
      this.mode === 'attached'
        ? " The servers belong to the background cluster ('make up'): run 'make down', then 'make dev', which runs them itself."
        : ' LAB_SHARDS names servers the lab does not run.';
    return `${what} needs the lab to run the shard servers itself; in ${this.mode} mode it does not.${hint}`;
  }

  shard(id: number): Shard {
    const shard = this.shards.find((s) => s.id === id);
    if (!shard) throw new RangeError(`no shard ${id}`);
    return shard;
  }

  byName(name: string): Shard | undefined {
    return this.shards.find((s) => s.name === name);
  }

  info(): ShardInfo[] {
    return this.shards.map(toInfo);
  }

  specs(): ShardSpec[] {
    return this.shards.map((s) => ({ id: s.id, name: s.name, url: s.url, port: s.server?.spec.port ?? null, ...(s.slot ? { slot: s.slot } : {}) }));
  }

  /** The id the next added shard gets: one more than any shard ever in this cluster's current list. */
  nextShardId(): number {
    return this.shards.reduce((max, s) => Math.max(max, s.id), -1) + 1;
  }

  embeddedSpec(id: number, slot: 0 | 1 = 0): ShardSpec {
    const { port } = this.place(id, slot);
    return { id, name: shardName(id), url: EmbeddedServer.urlFor(port), port, ...(slot ? { slot } : {}) };
  }

  /**
   * Where an embedded shard's servers live: two directories and ports per shard, one for the primary and one
   * for its replica. A promotion swaps their roles, so neither server has to move.
   */
  private place(id: number, slot: 0 | 1): { dataDir: string; port: number } {
    return slot === 0
      ? { dataDir: path.join(this.config.dataDir, shardName(id)), port: this.config.shardBasePort + id }
      : { dataDir: path.join(this.config.dataDir, `${shardName(id)}-replica`), port: this.config.replicaBasePort + id };
  }

  /** Where the shard's replica lives (or would): the place its primary does not use. */
  replicaPlace(shard: Shard): { dataDir: string; port: number } {
    return this.place(shard.id, shard.slot === 0 ? 1 : 0);
  }

  /**
   * Starts a new embedded shard server (initdb on first use), runs `prepare` on it (the migrations), and only
   * then adds it to the cluster, so nothing that walks the shards meets a server without its schema. It takes
   * no traffic until a ring names it. If `prepare` fails, the server is stopped and its data removed.
   */
  async addEmbeddedShard(id: number, prepare: Prepare): Promise<Shard> {
    if (!this.ownsServers) throw new ClusterError(this.notOwned('Starting a new shard server'));
    const spec = this.embeddedSpec(id);
    const server = this.embeddedServer(spec);
    await startAll([server]);
    try {
      await prepare({ name: spec.name, url: spec.url });
    } catch (err) {
      await server.stop();
      await fsp.rm(server.spec.dataDir, { recursive: true, force: true });
      throw err;
    }
    const shard = this.register(spec, server);
    await this.afterChange(shard);
    return shard;
  }

  /** Adds an existing server (external mode) as a shard, once it answers and `prepare` has run on it. */
  async addExternalShard(id: number, url: string, prepare: Prepare): Promise<Shard> {
    const name = shardName(id);
    const probe = this.probeFor(url);
    const { ok, error } = await probe.check();
    probe.close();
    if (!ok) throw new ClusterError(`${name} (${redact(url)}) does not answer: ${error}`);
    await prepare({ name, url });
    const shard = this.register({ id, name, url, port: null }, null);
    await this.afterChange(shard);
    return shard;
  }

  /** A streaming replica of an embedded shard, built from a live base backup; it follows the primary from then on. */
  async addReplica(id: number): Promise<Replica> {
    const shard = this.shard(id);
    if (!this.ownsServers || !shard.server) throw new ClusterError(this.notOwned('A replica'));
    if (shard.replica) throw new ClusterError(`${shard.name} already has a replica (${shard.replica.name}).`);
    if (shard.status === 'down' || shard.status === 'paused') {
      throw new ClusterError(`${shard.name} is ${shard.status}: a replica is copied from a running primary, so ${shard.status === 'down' ? 'start' : 'resume'} it first.`);
    }
    const place = this.replicaPlace(shard);
    const server = await buildReplica(shard.server, place.dataDir, place.port, replicaName(shard));
    const replica = this.registerReplica(shard, server, server.url);
    await saveReplica(this.catalog.pool, { shard: shard.name, name: replica.name, url: replica.url, data_dir: place.dataDir });
    await this.saveState();
    await this.checkHealth();
    this.emit('shards', this.info());
    return replica;
  }

  private async startReplica(shard: Shard): Promise<void> {
    const place = this.replicaPlace(shard);
    const server = new EmbeddedServer({ name: replicaName(shard), ...place });
    await server.start();
    this.registerReplica(shard, server, server.url);
    await saveReplica(this.catalog.pool, { shard: shard.name, name: server.spec.name, url: server.url, data_dir: place.dataDir });
  }

  private registerReplica(shard: Shard, server: EmbeddedServer | null, url: string): Replica {
    const replica: Replica = {
      name: replicaName(shard),
      url,
      pool: createPool(url, this.config.pool, 'shard-lab-replica-reads'),
      server,
      probe: this.probeFor(url),
      status: 'up',
      lag: { bytes: null, seconds: null, state: null },
    };
    server?.on('exit', (_code: number | null, signal: string | null, expected: boolean) => {
      if (expected || this.closed || shard.replica !== replica) return;
      this.log(`${replica.name}: PostgreSQL exited unexpectedly (${signal ?? 'exit'}); reads go to the primary.`);
      replica.status = 'down';
      this.emit('status', toInfo(shard), shard.status);
    });
    shard.replica = replica;
    return replica;
  }

  private async closeReplica(shard: Shard, deleteData: boolean): Promise<void> {
    const r = shard.replica;
    if (!r) return;
    shard.replica = null;
    r.probe.close();
    await r.pool.end().catch(() => undefined);
    await r.server?.stop();
    if (deleteData && r.server) {
      await forgetReplica(this.catalog.pool, shard.name);
      await fsp.rm(r.server.spec.dataDir, { recursive: true, force: true });
      await fsp.rm(r.server.logFile, { force: true });
      await shard.pool.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active', [replicaSlot(shard.name)]).catch(() => undefined);
    }
  }

  /**
   * Makes the shard's replica its primary. With the primary up this is a switchover: the replica catches up,
   * the primary shuts down cleanly (which streams the last of its WAL first), and nothing is lost. With the
   * primary down or paused it is a failover: the old primary is fenced off with SIGKILL, and whatever it had
   * not streamed is gone. The old primary's data directory is then removed: it must never come back as a
   * second primary. A new replica can be built in its place.
   */
  async promoteReplica(id: number): Promise<Promotion> {
    const shard = this.shard(id);
    const old = shard.server;
    const replica = shard.replica;
    if (!this.ownsServers || !old) throw new ClusterError(this.notOwned('Promotion'));
    if (!replica?.server) throw new ClusterError(`${shard.name} has no replica to promote; add one first (POST /lab/v1/shards/${shard.name}/replicas).`);
    const replicaServer = replica.server;
    if (replica.status !== 'up') throw new ClusterError(`${replica.name} is down, so it cannot take over ${shard.name}.`);
    const kind = shard.status === 'up' && old.pid !== null ? 'switchover' : 'failover';
    const before = { url: shard.url, pid: old.pid, data_dir: old.spec.dataDir, status: shard.status };
    let primaryLsn: string | null = null;
    if (kind === 'switchover') {
      primaryLsn = await walPosition(shard.pool, 'pg_current_wal_lsn()');
      await waitForReplay(replica.pool, primaryLsn, replica.name);
    }
    const lagBefore = replica.lag.bytes;
    // From here on the shard's queries wait for the new primary, and those already running finish first.
    const release = this.hold(shard.id);
    let received: string;
    try {
      received = await this.handOver(shard, old, replica, replicaServer, kind);
    } finally {
      release();
    }
    await fsp.rm(old.spec.dataDir, { recursive: true, force: true });
    await forgetReplica(this.catalog.pool, shard.name);
    await this.saveState();
    await this.checkHealth();
    this.emit('shards', this.info());
    this.log(`${shard.name}: ${replica.name} promoted (${kind}); the primary is now ${redact(shard.url)}.`);
    return {
      kind,
      old_primary: before,
      new_primary: { url: shard.url, pid: replicaServer.pid, data_dir: replicaServer.spec.dataDir },
      primary_lsn: primaryLsn,
      received_lsn: received,
      last_known_lag_bytes: lagBefore,
    };
  }

  /** The promotion proper: the old primary stops, the replica replays what it has and is promoted, the shard points at it. */
  private async handOver(shard: Shard, old: EmbeddedServer, replica: Replica, replicaServer: EmbeddedServer, kind: Promotion['kind']): Promise<string> {
    if (kind === 'switchover') {
      await idle(shard.pool, Math.min(this.config.pool.statementTimeoutMs, HANDOVER_DRAIN_MS));
      await old.stop();
    } else {
      await old.kill();
    }
    let received: string;
    try {
      // A clean shutdown sent everything; after a kill, what arrived is all there is. Either way, replay it all first.
      await waitForReplay(replica.pool, null, replica.name);
      received = await walPosition(replica.pool, 'greatest(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())');
      const { rows } = await replica.pool.query<{ promoted: boolean }>('SELECT pg_promote(true, 60) AS promoted');
      if (!rows[0]?.promoted) throw new ClusterError(`${replica.name} did not finish promotion within 60 s; see ${replicaServer.logFile}.`);
    } catch (err) {
      // A switchover that cannot finish gives the shard its primary back.
      if (kind === 'switchover') await old.start().catch(() => undefined);
      throw err;
    }
    await replica.pool.query('ALTER SYSTEM RESET primary_conninfo');
    await replica.pool.query('ALTER SYSTEM RESET primary_slot_name');
    await replica.pool.query('SELECT pg_reload_conf()');

    shard.replica = null;
    replica.probe.close();
    await replica.pool.end().catch(() => undefined);
    shard.server = replicaServer;
    shard.slot = shard.slot === 0 ? 1 : 0;
    this.watchPrimary(shard, replicaServer);
    await this.repoint(shard, replica.url);
    return received;
  }

  /**
   * An attached cluster (a prefork worker) follows the primary's ring: shards it lacks are added, shards the
   * ring no longer names are closed, and a shard whose address changed (a promoted replica) gets a new pool.
   */
  async follow(specs: ShardSpec[]): Promise<void> {
    for (const spec of specs) {
      const shard = this.shards.find((s) => s.id === spec.id);
      if (!shard) this.register(spec, null);
      else if (shard.url !== spec.url) await this.repoint(shard, spec.url);
    }
    for (const shard of [...this.shards]) if (!specs.some((s) => s.id === shard.id)) await this.removeShard(shard.id, { deleteData: false });
    await this.checkHealth();
  }

  /** Where each shard's replica is, as this process reads from it: what a prefork worker follows. */
  replicaSpecs(): ReplicaSpec[] {
    return this.shards.flatMap((s) => (s.replica ? [{ shard: s.id, url: s.replica.url }] : []));
  }

  /**
   * An attached cluster (a prefork worker) reads from the replicas the primary has: a new one is opened, one
   * that is gone or moved (a promotion) is closed. It starts and stops no server.
   */
  async followReplicas(specs: ReplicaSpec[]): Promise<void> {
    for (const shard of this.shards) {
      const want = specs.find((r) => r.shard === shard.id);
      if (shard.replica && shard.replica.url !== want?.url) await this.closeReplica(shard, false);
      if (want && !shard.replica) this.registerReplica(shard, null, want.url);
    }
    await this.checkHealth();
  }

  /** Points the shard at another server: a new pool and probe; the old pool ends once its queries have. */
  private async repoint(shard: Shard, url: string): Promise<void> {
    const { pool, probe } = shard;
    shard.url = url;
    shard.pool = createPool(url, this.config.pool);
    shard.probe = this.probeFor(url);
    probe.close();
    await pool.end().catch(() => undefined);
  }

  /**
   * Makes the shard's queries wait (in onShard) until the returned function is called; holds nest, and the
   * queries go on when the last is released. A promotion holds its shard while the servers change hands.
   */
  hold(id: number): () => void {
    const shard = this.shard(id);
    let held = this.holds.get(shard);
    if (!held) {
      let resolve!: () => void;
      shard.handover = new Promise<void>((r) => (resolve = r));
      held = { count: 0, resolve };
      this.holds.set(shard, held);
    }
    held.count++;
    const h = held;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--h.count > 0) return;
      this.holds.delete(shard);
      shard.handover = null;
      h.resolve();
    };
  }

  /** Takes a shard out: closes its pool, stops its server (by pid) and optionally deletes its data directory. */
  async removeShard(id: number, opts: { deleteData: boolean }): Promise<void> {
    const shard = this.shard(id);
    await this.closeReplica(shard, opts.deleteData);
    this.shards.splice(this.shards.indexOf(shard), 1);
    shard.probe.close();
    await shard.pool.end().catch(() => undefined);
    await shard.server?.stop();
    if (opts.deleteData && shard.server) {
      await fsp.rm(shard.server.spec.dataDir, { recursive: true, force: true });
      await fsp.rm(shard.server.logFile, { force: true });
    }
    await this.saveState();
    this.emit('shards', this.info());
  }

  /** Fault injection on an embedded shard's postmaster: SIGKILL, SIGSTOP (pause) or SIGCONT (resume). */
  async signalShard(id: number, signal: 'SIGKILL' | 'SIGSTOP' | 'SIGCONT'): Promise<void> {
    const shard = this.shard(id);
    const server = shard.server;
    if (!server?.pid) throw new ClusterError(`${shard.name} is not a running server of this lab.`);
    // After a kill, answer once the server is gone and the shard marked down, not while it is still dying.
    const gone = signal === 'SIGKILL' ? new Promise<void>((resolve) => server.once('exit', () => resolve())) : null;
    await server.signal(signal);
    await gone;
    if (signal === 'SIGSTOP') this.setStatus(shard, 'paused', 'paused (SIGSTOP)');
    if (signal === 'SIGCONT') {
      // Answer with what the shard is now, not 'paused' until the next health tick. A check begun during the
      // pause may still time out just after it, so one that fails is tried again, up to the connect timeout.
      const deadline = Date.now() + this.config.pool.connectTimeoutMs;
      let check = await shard.probe.check();
      while (!check.ok && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        check = await shard.probe.check();
      }
      this.setStatus(shard, check.ok ? 'up' : 'down', check.error);
    }
  }

  /** Starts an embedded shard's server again (after a kill); its data is whatever PostgreSQL recovers. */
  async restartShard(id: number): Promise<void> {
    const shard = this.shard(id);
    if (!shard.server) throw new ClusterError(`${shard.name} is not a server this lab runs.`);
    if (shard.server.pid) return;
    await shard.server.start();
    await this.saveState();
    await this.checkHealth();
  }

  /** Runs `fn` on a shard's pool; an outage becomes ShardUnavailableError (HTTP 503) naming the shard. */
  async onShard<T>(id: number, fn: (pool: pg.Pool) => Promise<T>): Promise<T> {
    const shard = this.shard(id);
    while (shard.handover) await shard.handover;
    try {
      return await fn(shard.pool);
    } catch (err) {
      // Its pool was ended under the request: whatever the error says, the shard is gone, not down.
      if (!this.shards.includes(shard)) throw new ShardRemovedError(shard.name, err);
      if (isMoving(err)) throw new ShardMovingError(shard.name, err);
      // Every connection lent out and the health probe's own connection still answering: overloaded, not down.
      if (isPoolTimeout(err) && shard.status === 'up' && shard.pool.totalCount >= this.config.pool.max) throw new ShardBusyError(shard.name, err);
      if (isUnavailable(err) || (err instanceof Error && /Query read timeout/.test(err.message))) {
        if (shard.status !== 'paused') this.setStatus(shard, 'down', err instanceof Error ? err.message : String(err));
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

  /** Checks every shard (and replica, with its lag) now; the monitor also does this on its own interval. */
  async checkHealth(): Promise<void> {
    await Promise.all(
      [...this.shards].map(async (shard) => {
        const { ok, error } = await shard.probe.check();
        if (this.closed || !this.shards.includes(shard)) return;
        if (shard.replica) await this.checkReplica(shard, shard.replica, ok);
        if (!ok && shard.status === 'paused') return;
        this.setStatus(shard, ok ? 'up' : 'down', error);
      }),
    );
  }

  private async checkReplica(shard: Shard, replica: Replica, primaryUp: boolean): Promise<void> {
    const { ok } = await replica.probe.check();
    const status = ok ? 'up' : 'down';
    const lag = primaryUp ? await replicaLag(shard.pool, replica.name).catch(() => replica.lag) : replica.lag;
    const changed = status !== replica.status || lag.state !== replica.lag.state;
    replica.status = status;
    replica.lag = lag;
    if (changed) this.emit('status', toInfo(shard), shard.status);
  }

  /** Stops monitoring, closes pools and stops the servers this process started (by their pids). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.healthTimer) clearInterval(this.healthTimer);
    for (const s of this.shards) s.probe.close();
    await Promise.all(this.shards.map((s) => this.closeReplica(s, false)));
    await this.catalog.close();
    await Promise.all(this.shards.map((s) => s.pool.end().catch(() => undefined)));
    await Promise.all([...this.shards.map((s) => s.server?.stop()), ...this.ownServers.map((s) => s.stop())]);
    await removeState(this.config.dataDir, process.pid);
  }

  private embeddedServer(spec: ShardSpec): EmbeddedServer {
    return new EmbeddedServer({ name: spec.name, ...this.place(spec.id, spec.slot ?? 0) });
  }

  private register(spec: ShardSpec, server: EmbeddedServer | null): Shard {
    if (this.shards.some((s) => s.id === spec.id)) throw new ClusterError(`${spec.name} is already in the cluster`);
    const shard: Shard = {
      id: spec.id,
      name: spec.name,
      url: spec.url,
      role: 'primary',
      pool: createPool(spec.url, this.config.pool),
      server,
      probe: this.probeFor(spec.url),
      slot: spec.slot ?? 0,
      status: 'starting',
      lastError: null,
      replica: null,
      handover: null,
    };
    if (server) this.watchPrimary(shard, server);
    this.shards.push(shard);
    this.shards.sort((a, b) => a.id - b.id);
    return shard;
  }

  private probeFor(url: string): HealthProbe {
    return new HealthProbe(url, Math.max(1_000, this.config.healthIntervalMs * 2));
  }

  private watchPrimary(shard: Shard, server: EmbeddedServer): void {
    server.on('exit', (code: number | null, signal: string | null, expected: boolean) => {
      if (expected || this.closed || shard.server !== server) return;
      const how = signal ? `killed by ${signal}` : `exit code ${code}`;
      this.log(`${shard.name}: PostgreSQL exited unexpectedly (${how}); requests for its keys now get 503. Log: ${server.logFile}`);
      this.setStatus(shard, 'down', how);
    });
  }

  private async afterChange(shard: Shard): Promise<void> {
    await this.saveState();
    await this.checkHealth();
    this.emit('shards', this.info());
    if (shard.status !== 'up') this.log(`${shard.name} added but not answering: ${shard.lastError}`);
  }

  /** `.lab/cluster.json` lists the servers this process owns, so other lab commands and orphan cleanup find them. */
  private async saveState(): Promise<void> {
    const own = this.shards.filter((s) => s.server);
    if (own.length === 0 && this.ownServers.length === 0) return;
    const catalogServer = this.ownServers[0];
    const replicas = this.shards.flatMap((s) => (s.replica?.server ? [entry(s.replica.server, s.replica.name)] : []));
    await writeState(this.config.dataDir, {
      owner_pid: process.pid,
      started_at: new Date().toISOString(),
      shards: own.map((s) => entry(s.server!, s.name)),
      replicas,
      catalog: catalogServer ? entry(catalogServer, catalogServer.spec.name) : null,
    });
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

function toInfo(s: Shard): ShardInfo {
  const replicas: ReplicaInfo[] = s.replica
    ? [{ name: s.replica.name, url: s.replica.url, role: 'replica', status: s.replica.status, pid: s.replica.server?.pid ?? null, lag_bytes: s.replica.lag.bytes, lag_seconds: s.replica.lag.seconds, state: s.replica.lag.state }]
    : [];
  return { id: s.id, name: s.name, url: s.url, role: s.role, status: s.status, pid: s.server?.pid ?? null, replicas };
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

/** A server as `.lab/cluster.json` lists it, named by its role now (a promoted replica is listed as its shard). */
const entry = (s: EmbeddedServer, name: string): ServerEntry => ({ name, port: s.spec.port, url: s.url, pid: s.pid, data_dir: s.spec.dataDir });

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
