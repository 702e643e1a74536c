import type { Cluster, ClusterMode, Log, ReplicaSpec, ShardInfo } from '../cluster/cluster.js';
import { latestRing, ringHistory, saveRing, type RingVersion, type ShardSpec } from '../cluster/topology-store.js';
import type { LabConfig } from '../config.js';
import { persistJobs } from '../jobs/job-store.js';
import { JobRegistry, type JobView } from '../jobs/registry.js';
import { LoadTestEngine } from '../loadtest/engine.js';
import { prepareRun } from '../loadtest/prepare.js';
import { RunStore } from '../loadtest/store.js';
import { Metrics } from '../metrics/metrics.js';
import { Messenger } from '../messenger/messenger.js';
import { outboxBacklog } from '../messenger/outbox/outbox.js';
import type { UsersService } from '../messenger/users/service.js';
import type { MigrationTarget } from '../migrations/index.js';
import type { Router } from '../sharding/router.js';
import { routerFor } from '../sharding/strategies.js';
import { ReadRouter, type ReadStats } from '../cluster/reads.js';
import { ReadTrials } from '../reads/trial.js';
import { detectPgBouncer } from '../pooling/pgbouncer.js';
import { Pooling } from '../pooling/pooling.js';
import { covers, WriteGate, type FenceTarget } from '../sharding/write-gate.js';
import { EventHub } from './events.js';
import { Settings, type LabSettings } from './settings.js';

export interface Topology {
  mode: ClusterMode;
  shards: (ShardInfo & { in_ring: boolean })[];
  ring: { strategy: string; vnodes: number | null; version: number; shards: string[]; shares: number[] };
  /** Every ring version, oldest first, as the catalog keeps them (full shard specs: `GET /lab/v1/ring/versions`). */
  ring_versions: { version: number; shards: string[]; reason: string; created_at: string }[];
  /** The running job and the most recent ones (full views: `GET /lab/v1/jobs/:id`). */
  jobs: Pick<JobView, 'id' | 'kind' | 'state' | 'phase' | 'progress' | 'created_at' | 'finished_at'>[];
  reads: ReadStats;
}

const TOPOLOGY_JOBS = 10;

export type RingChange = Pick<RingVersion, 'strategy' | 'vnodes' | 'shards' | 'reason'>;

/** What a process serving the API follows besides the ring: the run-time settings and the replicas to read from. */
export interface PeerState {
  settings: LabSettings;
  replicas: ReplicaSpec[];
}

/**
 * Other processes serving writes with their own write gates and rings — prefork workers. A write pause, a
 * ring switch and a change of settings or replicas must reach them too, and each call resolves once every
 * one of them has done it.
 */
export interface WritePeers {
  fence(target: FenceTarget): Promise<void>;
  useRing(ring: RingVersion): Promise<void>;
  lift(): Promise<void>;
  sync(state: PeerState): Promise<void>;
  /** The user writes the peers acknowledged on the shard past WAL position `lsn` (see ReadRouter.writtenAfter). */
  writtenAfter(shard: number, lsn: string): Promise<string[]>;
}

/** Everything a running lab holds, built once at start-up and handed to the HTTP layer and the CLI. */
export class Lab {
  readonly jobs = new JobRegistry();
  readonly events = new EventHub();
  /** Writes pass through it so a reshard's cutover can pause the moving key ranges. */
  readonly gate = new WriteGate();
  readonly reads: ReadRouter;
  /** Write-then-read trials (POST /lab/v1/reads/trial) and the last one's result. */
  readonly readTrials = new ReadTrials();
  /** PgBouncer in front of every shard, when the binary is installed (detected at start). */
  readonly pooling: Pooling;
  readonly settings: Settings;
  readonly users: UsersService;
  /** The messenger's services and the outbox processor that applies their cross-shard events. */
  readonly messenger: Messenger;
  readonly metrics: Metrics;
  readonly loadtests: LoadTestEngine;
  /** Processes serving /api/v1: 1, or LAB_WORKERS under prefork (set by start-up). */
  workers = 1;
  /** The prefork workers, when there are any: pauses and ring switches reach them too. */
  peers: WritePeers | null = null;
  private currentRouter: Router;
  private readonly history: RingVersion[];
  private topologyChange: Promise<unknown> = Promise.resolve();
  private releaseShard: (() => void) | null = null;
  private jobStore: { flush(): Promise<void> } | null = null;

  private constructor(
    readonly config: LabConfig,
    readonly cluster: Cluster,
    readonly log: Log,
    private ring: RingVersion,
    history: RingVersion[],
  ) {
    this.history = history;
    this.settings = new Settings({ data_layer: config.dataLayer, read_policy: config.readPolicy });
    this.currentRouter = routerFor(ring);
    const bouncer = detectPgBouncer();
    this.pooling = new Pooling(cluster, config.dataDir, bouncer.binary, bouncer.version);
    this.reads = new ReadRouter(cluster, cluster.pools, () => this.settings.get().read_policy);
    this.messenger = new Messenger(
      cluster,
      () => this.currentRouter,
      () => this.settings.get().data_layer,
      log,
      this.gate,
      this.reads,
    );
    this.users = this.messenger.users;
    this.jobs.on('update', (job) => this.events.publish('job', job));
    this.settings.on('change', (settings) => this.events.publish('settings', settings));
    cluster.on('status', () => this.events.publish('topology', this.topology()));
    cluster.on('shards', () => {
      this.events.publish('topology', this.topology());
      // A replica added or moved: the workers read from it too (a worker that cannot follow is replaced).
      void this.syncPeers().catch((err: unknown) => log(`prefork: the workers did not follow the replicas: ${String(err)}`));
    });
    this.metrics = new Metrics(cluster, () => this.workers);
    this.metrics.on('tick', (tick) => this.events.publish('metrics', tick));
    this.loadtests = new LoadTestEngine(new RunStore(cluster.catalog.pool), (scenario, signal, note) =>
      prepareRun({ cluster, router: () => this.router, jobs: this.jobs, target: () => this.loadtests.target }, scenario, signal, note),
    );
    this.loadtests.on('update', (run) => this.events.publish('loadtest', run));
  }

  /**
   * The ring comes from the catalog (it survives restarts); a fresh lab saves version 1 over the shards it has.
   * A prefork worker passes the primary's ring instead: it routes by it and writes nothing to the catalog.
   */
  static async create(config: LabConfig, cluster: Cluster, log: Log, given?: RingVersion): Promise<Lab> {
    if (given) return new Lab(config, cluster, log, given, [given]);
    const specs = cluster.specs();
    let ring = await latestRing(cluster.catalog.pool);
    const sameShards = (r: RingVersion) => r.shards.map((s) => s.name).join() === specs.map((s) => s.name).join();
    if (ring && !sameShards(ring)) {
      // External servers listed differently than last time: route over what LAB_SHARDS names now.
      log(`The shards differ from ring version ${ring.version}; routing over ${specs.map((s) => s.name).join(', ')} as a new version.`);
      ring = await Lab.save(
        cluster,
        { strategy: ring.strategy, vnodes: ring.vnodes, shards: specs, reason: 'shards changed outside the lab' },
        ring.version + 1,
      );
    }
    if (!ring) {
      const vnodes = config.strategy === 'md5-ring' ? config.vnodes : null;
      ring = await Lab.save(cluster, { strategy: config.strategy, vnodes, shards: specs, reason: 'initial ring' }, 1);
    } else if (ring.strategy !== config.strategy || (ring.strategy === 'md5-ring' && ring.vnodes !== config.vnodes)) {
      log(
        `Routing with ring version ${ring.version} (${ring.strategy}, ${ring.vnodes ?? '-'} vnodes) as saved; LAB_STRATEGY/LAB_VNODES apply to a fresh lab (make reset).`,
      );
    }
    const lab = new Lab(config, cluster, log, ring, await ringHistory(cluster.catalog.pool));
    lab.jobStore = await persistJobs(lab.jobs, cluster.catalog.pool, log);
    return lab;
  }

  private static async save(cluster: Cluster, change: RingChange, version: number): Promise<RingVersion> {
    await saveRing(cluster.catalog.pool, { ...change, version });
    return (await latestRing(cluster.catalog.pool))!;
  }

  get router(): Router {
    return this.currentRouter;
  }

  get ringVersion(): RingVersion {
    return this.ring;
  }

  /**
   * Saves the next ring version in the catalog, then routes by it: from this call on, every request uses it
   * (the prefork workers' too, before this resolves).
   */
  async switchRing(change: RingChange): Promise<RingVersion> {
    const next = await Lab.save(this.cluster, change, this.ring.version + 1);
    this.route(next);
    this.history.push(next);
    await this.peers?.useRing(next);
    this.events.publish('topology', this.topology());
    return next;
  }

  /** Changes run-time settings here and, before it resolves, in every prefork worker. */
  async updateSettings(patch: Partial<LabSettings>): Promise<LabSettings> {
    const settings = this.settings.update(patch);
    await this.syncPeers();
    return settings;
  }

  peerState(): PeerState {
    return { settings: this.settings.get(), replicas: this.cluster.replicas.specs() };
  }

  private async syncPeers(): Promise<void> {
    await this.peers?.sync(this.peerState());
  }

  /** A prefork worker's side of syncPeers: the primary's settings and replicas. */
  async usePeerState(state: PeerState): Promise<void> {
    this.settings.update(state.settings);
    await this.cluster.replicas.follow(state.replicas);
  }

  /** A prefork worker's side of switchRing: route by the primary's new ring, following its shards. */
  async useRing(ring: RingVersion): Promise<void> {
    await this.cluster.servers.follow(ring.shards);
    this.route(ring);
  }

  private route(ring: RingVersion): void {
    this.currentRouter = routerFor(ring);
    this.ring = ring;
  }

  /**
   * Runs `fn` as the only topology change in progress (a reshard job, a promotion): the next one waits for it,
   * so two never pause writes or switch rings over each other.
   */
  changeTopology<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.topologyChange.catch(() => undefined).then(fn);
    this.topologyChange = run;
    return run;
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
      await this.peers?.fence(target);
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
    await this.peers?.lift();
  }

  /** Events a shard's outbox still holds; a shard no longer in the cluster has none left to send. */
  async outboxPending(shard: string): Promise<number | null> {
    const backlog = (await outboxBacklog(this.cluster)).shards.find((s) => s.shard === shard);
    return backlog ? backlog.pending : 0;
  }

  ringWith(shards: ShardSpec[]): Pick<RingVersion, 'strategy' | 'vnodes' | 'shards'> {
    return { strategy: this.ring.strategy, vnodes: this.ring.vnodes, shards };
  }

  /** The cluster's shape as `GET /lab/v1/topology` and the `topology` event channel show it. */
  topology(): Topology {
    const { strategy } = this.currentRouter;
    const inRing = new Set(this.ring.shards.map((s) => s.name));
    return {
      mode: this.cluster.mode,
      shards: this.cluster.info().map((s) => ({ ...s, in_ring: inRing.has(s.name) })),
      ring: { strategy: strategy.name, vnodes: strategy.vnodes, version: this.ring.version, shards: [...this.currentRouter.names], shares: strategy.shares() },
      ring_versions: this.history.map((v) => ({ version: v.version, shards: v.shards.map((x) => x.name), reason: v.reason, created_at: v.created_at })),
      jobs: this.jobs
        .list()
        .slice(0, TOPOLOGY_JOBS)
        .map(({ id, kind, state, phase, progress, created_at, finished_at }) => ({
          id,
          kind,
          state,
          ...(phase ? { phase } : {}),
          progress,
          created_at,
          finished_at,
        })),
      reads: this.reads.snapshot(),
    };
  }

  migrationTargets(): MigrationTarget[] {
    return this.cluster.shards.map((s) => ({ name: s.name, url: s.url }));
  }

  async close(): Promise<void> {
    await this.messenger.outbox.stop();
    await this.loadtests.shutdown();
    this.metrics.stop();
    await this.jobs.shutdown();
    await this.jobStore?.flush();
    await this.pooling.close();
    await this.cluster.close();
  }
}
