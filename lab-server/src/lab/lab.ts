import type { Cluster, Log } from '../cluster/cluster.js';
import type { RingVersion } from '../cluster/topology-store.js';
import type { LabConfig } from '../config.js';
import { persistJobs } from '../jobs/job-store.js';
import { JobRegistry } from '../jobs/registry.js';
import { LoadTestEngine } from '../loadtest/engine.js';
import { prepareRun } from '../loadtest/prepare.js';
import { RunStore } from '../loadtest/store.js';
import { Metrics } from '../metrics/metrics.js';
import { Messenger } from '../messenger/messenger.js';
import { outboxBacklog } from '../messenger/outbox/outbox.js';
import type { UsersService } from '../messenger/users/service.js';
import type { MigrationTarget } from '../migrations/index.js';
import { ReadRouter } from '../cluster/reads.js';
import { MigrationDrill } from '../migration-drill/index.js';
import { ReadTrials } from '../reads/trial.js';
import { ChapterStarts } from '../starts/starts.js';
import { detectPgBouncer } from '../pooling/pgbouncer.js';
import { Pooling } from '../pooling/pooling.js';
import { EventHub } from './events.js';
import { usePreparedStatements } from '../postgres/statements.js';
import { sampleLiveTraffic } from '../tracing/tracing.js';
import type { PeerState, WritePeers } from './peers.js';
import { RingKeeper } from './ring-keeper.js';
import { markClusterEvents } from './timeline-marks.js';
import { POOL_SETTINGS, Settings, type LabSettings } from './settings.js';
import { topologyOf, type Topology } from './topology.js';

/**
 * The running lab: it builds the parts (the ring, the messenger, jobs, events, settings, metrics, load tests)
 * once at start-up and wires their events together. The HTTP layer and the CLI take the parts they use.
 */
export class Lab {
  readonly jobs = new JobRegistry();
  readonly events = new EventHub();
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
  /** The Migrations chapter's drills, on their own schema (`lab_drill`) of every shard. */
  readonly migrationDrill: MigrationDrill;
  /** Chapter starts: the data a chapter begins from, restored from a snapshot on every shard. */
  readonly starts: ChapterStarts;
  /** Processes serving /api/v1: 1, or LAB_WORKERS under prefork (set by start-up). */
  workers = 1;
  /** Prefork workers serving /api/v1 besides the primary now (0: the primary serves it); `setWorkers` changes it. */
  preforkWorkers = 0;
  /** Changes the prefork worker count while the lab runs (set by start-up, which owns the public port). */
  setWorkers: ((count: number) => Promise<void>) | null = null;
  /** The prefork workers, when there are any: pauses, ring switches and settings reach them too. */
  peers: WritePeers | null = null;
  private jobStore: { flush(): Promise<void> } | null = null;

  private constructor(
    readonly config: LabConfig,
    readonly cluster: Cluster,
    readonly log: Log,
    /** The ring the lab routes by, its write gate, and the one topology change in flight. */
    readonly ring: RingKeeper,
  ) {
    this.settings = new Settings(Lab.defaultSettings(config));
    // The switch is per process: a lab started again in the same process must not inherit the last one's.
    usePreparedStatements(this.settings.get().prepared_statements);
    sampleLiveTraffic(this.settings.get().trace_sample_percent);
    const bouncer = detectPgBouncer();
    const given = new Map(config.externalPeers.flatMap((p, id) => (p.pgbouncer ? [[id, p.pgbouncer] as const] : [])));
    this.pooling = new Pooling(cluster, config.dataDir, bouncer.binary, bouncer.version, () => this.settings.get().statement_timeout_ms, given);
    this.reads = new ReadRouter(cluster, cluster.pools, () => this.settings.get().read_policy);
    this.messenger = new Messenger(
      cluster,
      () => ring.router,
      () => this.settings.get().data_layer,
      log,
      ring.gate,
      this.reads,
    );
    this.users = this.messenger.users;
    this.jobs.on('update', (job) => this.events.publish('job', job));
    this.settings.on('change', (settings, changed) => {
      this.apply(settings, changed);
      this.events.publish('settings', settings);
    });
    cluster.on('status', () => this.publishTopology());
    cluster.on('shards', () => {
      this.publishTopology();
      // A replica added or moved: the workers read from it too (a worker that cannot follow is replaced).
      void this.syncPeers().catch((err: unknown) => log(`prefork: the workers did not follow the replicas: ${String(err)}`));
    });
    this.migrationDrill = new MigrationDrill(cluster, () => this.loadtests);
    this.starts = new ChapterStarts({
      cluster,
      router: () => ring.router,
      peers: () => this.peers,
      migrationsDir: config.migrationsDir,
      configuredShards: config.shardCount,
      external: config.externalShards !== null,
    });
    this.metrics = new Metrics(cluster, () => this.workers);
    this.metrics.on('tick', (tick) => this.events.publish('metrics', tick));
    this.loadtests = new LoadTestEngine(new RunStore(cluster.catalog.pool), (scenario, signal, note, seed) =>
      prepareRun({ cluster, router: () => ring.router, jobs: this.jobs, target: () => this.loadtests.target }, scenario, signal, note, seed),
    );
    this.loadtests.on('update', (run) => this.events.publish('loadtest', run));
    markClusterEvents(this.jobs, cluster, this.loadtests);
  }

  /** A prefork worker passes the primary's ring (`given`): it routes by it and writes nothing to the catalog. */
  static async create(config: LabConfig, cluster: Cluster, log: Log, given?: RingVersion): Promise<Lab> {
    let lab: Lab | null = null;
    const ring = await RingKeeper.load(
      config,
      cluster,
      log,
      () => lab?.peers ?? null,
      () => lab?.publishTopology(),
      given,
    );
    lab = new Lab(config, cluster, log, ring);
    // Every process that serves the API goes through the PgBouncers LAB_SHARDS names, prefork workers too.
    await lab.pooling.adoptGiven();
    if (!given) lab.jobStore = await persistJobs(lab.jobs, cluster.catalog.pool, log);
    return lab;
  }

  /** The settings as the environment (LAB_*) sets them at start: what a reset returns to. */
  static defaultSettings(config: LabConfig): LabSettings {
    return {
      data_layer: config.dataLayer,
      read_policy: config.readPolicy,
      pool_max: config.pool.max,
      pool_wait_timeout_ms: config.pool.connectTimeoutMs,
      statement_timeout_ms: config.pool.statementTimeoutMs,
      idle_in_transaction_timeout_ms: 0,
      prepared_statements: config.preparedStatements,
      trace_sample_percent: 0,
    };
  }

  /** Puts changed settings in force in this process (a prefork worker does the same when the primary syncs). */
  private apply(s: LabSettings, changed: (keyof LabSettings)[]): void {
    if (changed.includes('prepared_statements')) usePreparedStatements(s.prepared_statements);
    if (changed.includes('trace_sample_percent')) sampleLiveTraffic(s.trace_sample_percent);
    if (changed.some((k) => (POOL_SETTINGS as readonly string[]).includes(k))) {
      this.cluster.pools.reconfigure({
        ...this.config.pool,
        max: s.pool_max,
        connectTimeoutMs: s.pool_wait_timeout_ms,
        statementTimeoutMs: s.statement_timeout_ms,
        idleInTransactionTimeoutMs: s.idle_in_transaction_timeout_ms,
      });
    }
  }

  private publishTopology(): void {
    this.events.publish('topology', this.topology());
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

  /** Events a shard's outbox still holds; a shard no longer in the cluster has none left to send. */
  async outboxPending(shard: string): Promise<number | null> {
    const backlog = (await outboxBacklog(this.cluster)).shards.find((s) => s.shard === shard);
    return backlog ? backlog.pending : 0;
  }

  /** The cluster's shape as `GET /lab/v1/topology` and the `topology` event channel show it. */
  topology(): Topology {
    return topologyOf(this.cluster, this.ring, this.jobs, this.reads);
  }

  migrationTargets(): MigrationTarget[] {
    return this.cluster.shards.map((s) => ({ name: s.name, url: s.url }));
  }

  async close(): Promise<void> {
    await this.messenger.outbox.stop();
    await this.loadtests.shutdown();
    this.metrics.stop();
    await this.jobs.shutdown();
    await this.starts.settle();
    await this.jobStore?.flush();
    await this.pooling.close();
    await this.cluster.close();
  }
}
