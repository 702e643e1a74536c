import type { Cluster, ClusterMode, Log, ShardInfo } from '../cluster/cluster.js';
import type { LabConfig } from '../config.js';
import { JobRegistry } from '../jobs/registry.js';
import { LoadTestEngine } from '../loadtest/engine.js';
import { prepareRun } from '../loadtest/prepare.js';
import { RunStore } from '../loadtest/store.js';
import { Metrics } from '../metrics/metrics.js';
import { UsersService } from '../messenger/users/service.js';
import type { MigrationTarget } from '../migrations/index.js';
import { Router } from '../sharding/router.js';
import { createStrategy } from '../sharding/strategies.js';
import { EventHub } from './events.js';
import { Settings } from './settings.js';

export interface Topology {
  mode: ClusterMode;
  shards: ShardInfo[];
  ring: { strategy: string; vnodes: number | null; version: number; shares: number[] };
}

/** Everything a running lab holds, built once at start-up and handed to the HTTP layer and the CLI. */
export class Lab {
  readonly jobs = new JobRegistry();
  readonly events = new EventHub();
  readonly settings: Settings;
  readonly users: UsersService;
  readonly metrics: Metrics;
  readonly loadtests: LoadTestEngine;
  /** Processes serving /api/v1: 1, or LAB_WORKERS under prefork (set by start-up). */
  workers = 1;
  private currentRouter: Router;
  /** Bumped whenever the ring changes; version 1 is the ring the lab started with. */
  ringVersion = 1;

  constructor(
    readonly config: LabConfig,
    readonly cluster: Cluster,
    readonly log: Log,
  ) {
    this.settings = new Settings({ data_layer: config.dataLayer, read_policy: config.readPolicy });
    const names = cluster.shards.map((s) => s.name);
    this.currentRouter = new Router(createStrategy(config.strategy, names, config.vnodes), names);
    this.users = new UsersService(cluster, () => this.currentRouter);
    this.jobs.on('update', (job) => this.events.publish('job', job));
    this.settings.on('change', (settings) => this.events.publish('settings', settings));
    cluster.on('status', () => this.events.publish('topology', this.topology()));
    this.metrics = new Metrics(cluster, () => this.workers);
    this.metrics.on('tick', (tick) => this.events.publish('metrics', tick));
    this.loadtests = new LoadTestEngine(new RunStore(cluster.catalog.pool), (scenario, signal, note) =>
      prepareRun({ cluster, router: () => this.router, jobs: this.jobs, target: () => this.loadtests.target }, scenario, signal, note),
    );
    this.loadtests.on('update', (run) => this.events.publish('loadtest', run));
  }

  /** The cluster's shape as `GET /lab/v1/topology` and the `topology` event channel show it. */
  topology(): Topology {
    const { strategy } = this.currentRouter;
    return {
      mode: this.cluster.mode,
      shards: this.cluster.info(),
      ring: { strategy: strategy.name, vnodes: strategy.vnodes, version: this.ringVersion, shares: strategy.shares() },
    };
  }

  get router(): Router {
    return this.currentRouter;
  }

  migrationTargets(): MigrationTarget[] {
    return this.cluster.shards.map((s) => ({ name: s.name, url: s.url }));
  }

  async close(): Promise<void> {
    await this.loadtests.shutdown();
    this.metrics.stop();
    await this.jobs.shutdown();
    await this.cluster.close();
  }
}
