import fsp from 'node:fs/promises';
import type pg from 'pg';
import { EmbeddedServer } from './embedded-server.js';
import { ClusterError } from './errors.js';
import type { HealthMonitor } from './health-monitor.js';
import type { ServerLayout } from './layout.js';
import { buildReplica, replicaSlot } from './replica.js';
import { forgetReplica, saveReplica } from './replica-store.js';
import { notOwned, replicaName, type ClusterMode, type Log, type Replica, type ReplicaSpec, type Shard } from './shard.js';
import type { ShardPools } from './shard-pools.js';
import type { ShardSet } from './shard-set.js';

/** The shards' streaming replicas: building, starting, opening and closing them, and following another process's. */
export class Replicas {
  constructor(
    private readonly set: ShardSet,
    private readonly pools: ShardPools,
    private readonly layout: ServerLayout,
    private readonly health: HealthMonitor,
    private readonly catalog: pg.Pool,
    private readonly mode: ClusterMode,
    private readonly log: Log,
  ) {}

  /** A streaming replica of an embedded shard, built from a live base backup; it follows the primary from then on. */
  async add(id: number): Promise<Replica> {
    const shard = this.set.shard(id);
    if (this.mode !== 'embedded' || !shard.server) throw new ClusterError(notOwned(this.mode, 'A replica'));
    if (shard.replica) throw new ClusterError(`${shard.name} already has a replica (${shard.replica.name}).`);
    // A probe that timed out on a busy machine is not a stopped server: ask again before refusing.
    if (shard.status === 'down') await this.health.check();
    if (shard.status === 'down' || shard.status === 'paused') {
      throw new ClusterError(
        `${shard.name} is ${shard.status}: a replica is copied from a running primary, so ${shard.status === 'down' ? 'start' : 'resume'} it first.`,
      );
    }
    const place = this.layout.replicaPlace(shard);
    const server = await buildReplica(shard.server, place.dataDir, place.port, replicaName(shard));
    const replica = this.open(shard, server, server.url);
    await saveReplica(this.catalog, { shard: shard.name, name: replica.name, url: replica.url, data_dir: place.dataDir });
    await this.layout.save();
    await this.health.check();
    this.set.announce();
    return replica;
  }

  /** Stops the shard's replica and deletes it (its data, its slot, the catalog's record); reads go to the primary again. */
  async remove(id: number): Promise<boolean> {
    const shard = this.set.shard(id);
    if (!shard.replica) return false;
    if (!shard.replica.server) throw new ClusterError(notOwned(this.mode, 'Removing a replica'));
    await this.close(shard, true);
    await this.layout.save();
    this.set.announce();
    return true;
  }

  /**
   * Makes the shard's replica apply each commit only `ms` after the primary made it (recovery_min_apply_delay),
   * so replication lag can be seen on one fast machine; 0 turns it off. The setting stays with the replica.
   */
  async setApplyDelay(id: number, ms: number): Promise<void> {
    const replica = this.set.shard(id).replica;
    if (!replica) throw new ClusterError(`${this.set.shard(id).name} has no replica; add one first.`);
    if (!replica.server) throw new ClusterError(notOwned(this.mode, 'Delaying a replica'));
    if (replica.status !== 'up') throw new ClusterError(`${replica.name} is ${replica.status}: remove it and add a new one, then delay that.`);
    // ALTER SYSTEM takes no parameters; ms is an integer the route has checked.
    await replica.pool.query(`ALTER SYSTEM SET recovery_min_apply_delay = '${Math.trunc(ms)}ms'`);
    await replica.pool.query('SELECT pg_reload_conf()');
    // The reload is a signal, taken by each process in its own time: answer once the replica reports the new value.
    const deadline = Date.now() + 10_000;
    while ((await this.applyDelay(id)) !== Math.trunc(ms)) {
      if (Date.now() > deadline) throw new ClusterError(`${replica.name} did not take the new delay within 10 s; see its log.`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** The delay the shard's replica applies commits with (see setApplyDelay), read from the replica. */
  async applyDelay(id: number): Promise<number | null> {
    const replica = this.set.shard(id).replica;
    if (replica?.status !== 'up') return null;
    const { rows } = await replica.pool.query<{ ms: string }>("SELECT setting AS ms FROM pg_settings WHERE name = 'recovery_min_apply_delay'");
    return rows[0] ? Number(rows[0].ms) : null;
  }

  /** Starts the replica an embedded shard already has on disk (the lab starting again). */
  async start(shard: Shard): Promise<void> {
    const place = this.layout.replicaPlace(shard);
    const server = new EmbeddedServer({ name: replicaName(shard), ...place });
    await server.start();
    this.open(shard, server, server.url);
    await saveReplica(this.catalog, { shard: shard.name, name: server.spec.name, url: server.url, data_dir: place.dataDir });
  }

  /** Reads from a replica another lab process runs (attached mode). */
  attach(shard: Shard, url: string): Replica {
    return this.open(shard, null, url);
  }

  /** Closes the shard's replica: its pool and probe, its server if this process runs it, and with `deleteData` all trace of it. */
  async close(shard: Shard, deleteData: boolean): Promise<void> {
    const r = shard.replica;
    if (!r) return;
    shard.replica = null;
    r.probe.close();
    await r.pool.end().catch(() => undefined);
    await r.server?.stop();
    if (deleteData && r.server) {
      await this.forget(shard);
      await fsp.rm(r.server.spec.dataDir, { recursive: true, force: true });
      await fsp.rm(r.server.logFile, { force: true });
      await shard.pool
        .query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active', [replicaSlot(shard.name)])
        .catch(() => undefined);
    }
  }

  /** Drops the catalog's record of the shard's replica: it was promoted, or its directory is gone. */
  async forget(shard: Shard): Promise<void> {
    await forgetReplica(this.catalog, shard.name);
  }

  /** Where each shard's replica is, as this process reads from it: what a prefork worker follows. */
  specs(): ReplicaSpec[] {
    return this.set.shards.flatMap((s) => (s.replica ? [{ shard: s.id, url: s.replica.url }] : []));
  }

  /**
   * An attached cluster (a prefork worker) reads from the replicas the primary has: a new one is opened, one
   * that is gone or moved (a promotion) is closed. It starts and stops no server.
   */
  async follow(specs: ReplicaSpec[]): Promise<void> {
    for (const shard of this.set.shards) {
      const want = specs.find((r) => r.shard === shard.id);
      if (shard.replica && shard.replica.url !== want?.url) await this.close(shard, false);
      if (want && !shard.replica) this.attach(shard, want.url);
    }
    await this.health.check();
  }

  private open(shard: Shard, server: EmbeddedServer | null, url: string): Replica {
    const replica: Replica = {
      name: replicaName(shard),
      url,
      pool: this.pools.pool(url, 'shard-lab-replica-reads'),
      server,
      probe: this.pools.probe(url),
      status: 'up',
      error: null,
      lag: { bytes: null, seconds: null, state: null },
    };
    server?.on('exit', (_code: number | null, signal: string | null, expected: boolean) => {
      if (expected || this.set.closed || shard.replica !== replica) return;
      this.log(`${replica.name}: PostgreSQL exited unexpectedly (${signal ?? 'exit'}); reads go to the primary.`);
      replica.status = 'down';
      replica.error = `PostgreSQL exited unexpectedly (${signal ?? 'exit'})`;
      this.set.replicaChanged(shard);
    });
    shard.replica = replica;
    return replica;
  }
}
