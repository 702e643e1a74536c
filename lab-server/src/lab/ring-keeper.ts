import type { Cluster, Log } from '../cluster/cluster.js';
import { latestRing, ringHistory, saveRing, type RingVersion, type ShardSpec } from '../cluster/topology-store.js';
import type { LabConfig } from '../config.js';
import type { RingControl } from '../resharding/ring-control.js';
import type { Router } from '../sharding/router.js';
import { routerFor } from '../sharding/strategies.js';
import { covers, WriteGate, type FenceTarget } from '../sharding/write-gate.js';
import type { WritePeers } from './peers.js';

export type RingChange = Pick<RingVersion, 'strategy' | 'vnodes' | 'shards' | 'reason'>;

type RingCluster = Pick<Cluster, 'catalog' | 'servers' | 'handover'>;

/**
 * The ring the lab routes by, and the only way to change it: every version is saved in the catalog first, then
 * routed by here and in the prefork workers. It also holds the write gate (a reshard's cutover and a promotion
 * pause writes through it) and lets one topology change run at a time.
 */
export class RingKeeper implements RingControl {
  /** Writes pass through it so a reshard's cutover can pause the moving key ranges. */
  readonly gate = new WriteGate();
  private currentRouter: Router;
  private change: Promise<unknown> = Promise.resolve();
  private pendingChanges = 0;
  private releaseShard: (() => void) | null = null;

  private constructor(
    private readonly cluster: RingCluster,
    private current: RingVersion,
    private readonly versions: RingVersion[],
    /** The prefork workers, when there are any: pauses and ring switches reach them too. */
    private readonly peers: () => WritePeers | null,
    /** Called after the ring changed, so the topology can be published. */
    private readonly changed: () => void,
  ) {
    this.currentRouter = routerFor(current);
  }

  /**
   * The ring comes from the catalog (it survives restarts); a fresh lab saves version 1 over the shards it has.
   * A prefork worker passes the primary's ring instead: it routes by it and writes nothing to the catalog.
   */
  static async load(
    config: Pick<LabConfig, 'strategy' | 'vnodes'>,
    cluster: RingCluster & Pick<Cluster, 'specs'>,
    log: Log,
    peers: () => WritePeers | null,
    changed: () => void,
    given?: RingVersion,
  ): Promise<RingKeeper> {
    if (given) return new RingKeeper(cluster, given, [given], peers, changed);
    const specs = cluster.specs();
    const save = async (change: RingChange, version: number) => {
      await saveRing(cluster.catalog.pool, { ...change, version });
      return (await latestRing(cluster.catalog.pool))!;
    };
    let ring = await latestRing(cluster.catalog.pool);
    const sameShards = (r: RingVersion) => r.shards.map((s) => s.name).join() === specs.map((s) => s.name).join();
    if (ring && !sameShards(ring)) {
      // External servers listed differently than last time: route over what LAB_SHARDS names now.
      log(`The shards differ from ring version ${ring.version}; routing over ${specs.map((s) => s.name).join(', ')} as a new version.`);
      ring = await save({ strategy: ring.strategy, vnodes: ring.vnodes, shards: specs, reason: 'shards changed outside the lab' }, ring.version + 1);
    }
    if (!ring) {
      const vnodes = config.strategy === 'md5-ring' ? config.vnodes : null;
      ring = await save({ strategy: config.strategy, vnodes, shards: specs, reason: 'initial ring' }, 1);
    } else if (ring.strategy !== config.strategy || (ring.strategy === 'md5-ring' && ring.vnodes !== config.vnodes)) {
      log(
        `Routing with ring version ${ring.version} (${ring.strategy}, ${ring.vnodes ?? '-'} vnodes) as saved; LAB_STRATEGY/LAB_VNODES apply to a fresh lab (make reset).`,
      );
    }
    return new RingKeeper(cluster, ring, await ringHistory(cluster.catalog.pool), peers, changed);
  }

  get router(): Router {
    return this.currentRouter;
  }

  get version(): RingVersion {
    return this.current;
  }

  /** Every version, oldest first. */
  get history(): readonly RingVersion[] {
    return this.versions;
  }

  /**
   * Saves the next ring version in the catalog, then routes by it: from this call on, every request uses it
   * (the prefork workers' too, before this resolves).
   */
  async switch(change: RingChange): Promise<RingVersion> {
    await saveRing(this.cluster.catalog.pool, { ...change, version: this.current.version + 1 });
    const next = (await latestRing(this.cluster.catalog.pool))!;
    this.route(next);
    this.versions.push(next);
    await this.peers()?.useRing(next);
    this.changed();
    return next;
  }

  /** A prefork worker's side of `switch`: route by the primary's new ring, following its shards. */
  async follow(ring: RingVersion): Promise<void> {
    await this.cluster.servers.follow(ring.shards);
    this.route(ring);
  }

  private route(ring: RingVersion): void {
    this.currentRouter = routerFor(ring);
    this.current = ring;
  }

  with(shards: ShardSpec[]): Pick<RingVersion, 'strategy' | 'vnodes' | 'shards'> {
    return { strategy: this.current.strategy, vnodes: this.current.vnodes, shards };
  }

  /**
   * Runs `fn` as the only topology change in progress (a reshard job, a promotion): the next one waits for it,
   * so two never pause writes or switch rings over each other.
   */
  changeTopology<T>(fn: () => Promise<T>): Promise<T> {
    this.pendingChanges++;
    const run = this.change
      .catch(() => undefined)
      .then(fn)
      .finally(() => this.pendingChanges--);
    this.change = run;
    return run;
  }

  /** Whether a topology change runs or waits now: work that would only wait behind it can say so instead. */
  get changing(): boolean {
    return this.pendingChanges > 0;
  }

  /**
   * Pauses writes to `target` here and in every prefork worker; resolves when none is in flight anywhere. A
   * whole shard (a promotion) is held for reads too: its server is about to change.
   */
  async fence(target: FenceTarget): Promise<void> {
    await this.gate.fenceWhere(
      covers(target, () => this.router),
      'ranges' in target ? target.ranges : [],
    );
    if ('shard' in target) this.releaseShard = this.cluster.handover.hold(target.shard);
    try {
      await this.peers()?.fence(target);
    } catch (err) {
      await this.lift();
      throw err;
    }
  }

  /** Ends the pause here and in the workers. */
  async lift(): Promise<void> {
    this.gate.lift();
    this.releaseShard?.();
    this.releaseShard = null;
    await this.peers()?.lift();
  }
}
