import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import type { Log } from '../cluster/cluster.js';
import type { RingVersion } from '../cluster/topology-store.js';
import type { LabConfig } from '../config.js';
import type { WorkerReport } from '../metrics/metrics.js';
import { execArgvFor } from '../process/fork-args.js';
import type { Lab } from './lab.js';

const WORKER_MAIN = fileURLToPath(new URL(`./worker-main${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url));
const STOP_TIMEOUT_MS = 5_000;
const RESPAWN_DELAY_MS = 1_000;

/** What a worker needs to serve /api/v1: the shards and ring as the primary has them, and where the primary is. */
export interface WorkerSpec {
  /** The primary's configuration (port, host, pools, strategy, …); the worker takes shards and catalog from below. */
  config: LabConfig;
  catalog_url: string;
  /** The ring the primary routes by, with its shards (ids, names, URLs). */
  ring: RingVersion;
  /** The primary's internal address: everything but /api/v1 is forwarded there. */
  primary_url: string;
}

export type WorkerMessage = { type: 'lab-metrics'; report: WorkerReport };
export type PrimaryMessage = { type: 'lab-stop' };

/**
 * Prefork (LAB_WORKERS=N): N node:cluster workers share the public port and serve the messenger API, each
 * with its own pools; the primary stays the single owner of PostgreSQL processes, jobs, load tests and the
 * control plane, which it serves on an internal loopback port that workers forward everything else to.
 * Workers report their request metrics every second over IPC; the primary merges them. When the shard list
 * or ring changes, workers are replaced one at a time, so the API keeps answering. See docs/prefork.md.
 */
export class Prefork {
  private readonly workers = new Set<Worker>();
  private stopping = false;
  private spec: WorkerSpec;
  private restarting: Promise<void> = Promise.resolve();
  port = 0;

  private constructor(
    private readonly lab: Lab,
    private readonly config: LabConfig,
    primaryUrl: string,
    private readonly log: Log,
  ) {
    this.spec = this.currentSpec(primaryUrl);
    cluster.setupPrimary({ exec: WORKER_MAIN, execArgv: execArgvFor(WORKER_MAIN), silent: false });
  }

  static async start(lab: Lab, config: LabConfig, primaryUrl: string, log: Log): Promise<Prefork> {
    const p = new Prefork(lab, config, primaryUrl, log);
    try {
      await Promise.all(Array.from({ length: config.workers }, () => p.spawn()));
    } catch (err) {
      await p.stop();
      throw err;
    }
    lab.events.subscribe((e) => {
      if (e.channel === 'topology') p.onTopology();
    });
    return p;
  }

  count(): number {
    return this.workers.size;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.workers].map((w) => this.retire(w)));
  }

  private currentSpec(primaryUrl: string): WorkerSpec {
    return {
      config: this.config,
      catalog_url: this.lab.cluster.catalog.url,
      ring: this.lab.ringVersion,
      primary_url: primaryUrl,
    };
  }

  /** A new shard list or ring: replace the workers one by one (a status change alone needs nothing). */
  private onTopology(): void {
    const next = this.currentSpec(this.spec.primary_url);
    if (JSON.stringify(next) === JSON.stringify(this.spec) || this.stopping) return;
    this.spec = next;
    this.restarting = this.restarting.then(async () => {
      for (const old of [...this.workers]) {
        if (this.stopping) return;
        await this.spawn().catch((err: unknown) => this.log(`prefork: a new worker failed to start: ${String(err)}`));
        await this.retire(old);
      }
    });
  }

  /** Forks one worker; resolves once it listens on the public port. */
  private spawn(): Promise<Worker> {
    const worker = cluster.fork({ LAB_WORKER_SPEC: JSON.stringify(this.spec) });
    this.workers.add(worker);
    worker.on('message', (msg: WorkerMessage) => {
      if (msg?.type === 'lab-metrics') this.lab.metrics.addWorkerReport(worker.id, msg.report);
    });
    return new Promise((resolve, reject) => {
      let listening = false;
      worker.once('listening', (address) => {
        listening = true;
        this.port = address.port;
        resolve(worker);
      });
      worker.once('exit', (code, signal) => {
        this.workers.delete(worker);
        this.lab.metrics.workerGone(worker.id);
        if (!listening) return reject(new Error(`a prefork worker exited before listening (${signal ?? `code ${code}`}); its log is above`));
        if (this.stopping || worker.exitedAfterDisconnect) return;
        this.log(`prefork: worker ${worker.process.pid} died (${signal ?? `code ${code}`}); starting another`);
        setTimeout(() => {
          if (!this.stopping) this.spawn().catch((err: unknown) => this.log(`prefork: could not replace it: ${String(err)}`));
        }, RESPAWN_DELAY_MS).unref();
      });
    });
  }

  /** Asks a worker to finish its requests and exit; kills it by pid if it does not within 5 s. */
  private retire(worker: Worker): Promise<void> {
    if (worker.isDead()) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => worker.process.kill('SIGKILL'), STOP_TIMEOUT_MS);
      worker.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      // Not worker.disconnect(): that waits for every keep-alive connection to close by itself.
      worker.send({ type: 'lab-stop' } satisfies PrimaryMessage);
    });
  }
}
