import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import type { Log } from '../cluster/cluster.js';
import type { PeerWrite, ReadCounts } from '../cluster/reads.js';
import type { RingVersion } from '../cluster/topology-store.js';
import type { LabConfig } from '../config.js';
import type { WorkerReport } from '../metrics/metrics.js';
import { execArgvFor } from '../process/fork-args.js';
import type { FenceTarget, WritePause } from '../sharding/write-gate.js';
import type { Lab } from '../lab/lab.js';
import type { PeerState, WritePeers } from '../lab/peers.js';
import type { TraceView } from '../tracing/store.js';
import { traceStore } from '../tracing/tracing.js';

const WORKER_MAIN = fileURLToPath(new URL(`./worker-main${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url));
/** How long a retiring worker has to finish and exit before it is killed by pid. */
export const STOP_TIMEOUT_MS = 5_000;
const RESPAWN_DELAY_MS = 1_000;
/** A worker not set up by then is stuck (a shard that never answers, say): it is killed by pid and the change fails, instead of waiting for ever. */
const START_TIMEOUT_MS = 120_000;

/** What a worker needs to serve /api/v1: the shards and ring as the primary has them, and where the primary is. */
export interface WorkerSpec {
  /** The primary's configuration (port, host, pools, strategy, …); the worker takes shards and catalog from below. */
  config: LabConfig;
  catalog_url: string;
  /** The ring the primary routes by, with its shards (ids, names, URLs). */
  ring: RingVersion;
  /** The primary's settings and replicas when the worker starts (later changes come as `lab-sync`). */
  state: PeerState;
  /** The primary's internal address: everything but /api/v1 is forwarded there. */
  primary_url: string;
  /** Set up, say `lab-ready`, and listen only on `lab-listen`: the primary still holds the public port. */
  hold?: boolean;
}

/** A command every worker must carry out before the primary goes on: a write pause, a ring switch, its end. */
export type PeerCommand =
  | { type: 'lab-fence'; target: FenceTarget }
  | { type: 'lab-ring'; ring: RingVersion }
  | { type: 'lab-lift' }
  | { type: 'lab-hold' }
  | { type: 'lab-release' }
  | { type: 'lab-sync'; state: PeerState }
  /** After a promotion: the user writes each worker saw acknowledged past `lsn` on the shard (and forget the shard's). */
  | { type: 'lab-writes-after'; shard: number; lsn: string };

/** A write a worker served, passed on to the other workers (no answer awaited), so their reads know of it too. */
type Wrote = { type: 'lab-wrote'; write: PeerWrite };

export type WorkerMessage =
  | Wrote
  | { type: 'lab-metrics'; report: WorkerReport; reads: ReadCounts }
  | { type: 'lab-trace'; trace: TraceView }
  | { type: 'lab-pause'; pause: WritePause }
  | { type: 'lab-done'; seq: number; error?: string; keys?: string[] }
  | { type: 'lab-ready' };
export type PrimaryMessage = { type: 'lab-stop' } | { type: 'lab-listen' } | Wrote | (PeerCommand & { seq: number });

const PEER_TIMEOUT_MS = 10_000;

interface Pending {
  command: string;
  waiting: Set<number>;
  errors: { worker: number; message: string }[];
  keys: string[];
  settle: () => void;
}

/**
 * What a worker that fails a command (or does not answer in time) costs: the whole step (`fail`: a pause that
 * cannot be had, before anything changed), or the worker itself (`replace`: the ring has switched, or a pause
 * must end — it is killed by pid and a new one starts with the current ring once no pause is up).
 */
type OnFailure = 'fail' | 'replace';

/**
 * Prefork (LAB_WORKERS=N): N node:cluster workers share the public port and serve the messenger API, each
 * with its own pools; the primary stays the single owner of PostgreSQL processes, jobs, load tests and the
 * control plane, which it serves on an internal loopback port that workers forward everything else to.
 * Workers report their request metrics every second over IPC; the primary merges them. A write pause
 * (reshard, promotion) and a ring switch reach every worker, which carries them out in place, and the primary
 * waits until each has. See docs/prefork.md.
 */
export class Prefork implements WritePeers {
  private readonly workers = new Set<Worker>();
  /** Workers asked to exit (a resize or a stop): their exit is no death to make up for. */
  private readonly retiring = new WeakSet<Worker>();
  /** Workers replaced by a resize, still finishing their requests. */
  private leaving: Promise<void> = Promise.resolve();
  private stopping = false;
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  /** Up while writes are paused: no worker starts then, since it would not be paused. */
  private pause: { lifted: Promise<void>; end: () => void } | null = null;
  private spec: WorkerSpec;
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

  /**
   * Starts `config.workers` workers. With `takeOver`, they set up first and listen only once it resolves: the
   * primary lets go of the public port in it, so the port is without a listener for moments, not seconds.
   */
  static async start(lab: Lab, config: LabConfig, primaryUrl: string, log: Log, takeOver?: () => Promise<void>): Promise<Prefork> {
    const p = new Prefork(lab, config, primaryUrl, log);
    try {
      const held = await Promise.all(Array.from({ length: config.workers }, () => p.spawn(takeOver !== undefined)));
      if (takeOver) {
        await takeOver();
        for (const h of held) h.worker.send({ type: 'lab-listen' } satisfies PrimaryMessage);
        await Promise.all(held.map((h) => h.listening));
      }
    } catch (err) {
      await p.stop();
      throw err;
    }
    lab.peers = p;
    return p;
  }

  /**
   * Replaces every worker with `count` new ones: the new ones listen first, then the old ones finish their
   * requests and close their connections, so every client (a load test's too) reconnects to the new set.
   */
  async resize(count: number): Promise<void> {
    const old = [...this.workers];
    await Promise.all(Array.from({ length: count }, () => this.spawn(false)));
    // Not awaited: the request that asked for this change may be on its way back through an old worker.
    const leaving = this.leaving;
    this.leaving = Promise.all([leaving, ...old.map((w) => this.retire(w))]).then(() => undefined);
  }

  async fence(target: FenceTarget): Promise<void> {
    if (!this.pause) {
      let end!: () => void;
      const lifted = new Promise<void>((resolve) => (end = resolve));
      this.pause = { lifted, end };
    }
    await this.broadcast({ type: 'lab-fence', target }, 'fail');
  }

  async useRing(ring: RingVersion): Promise<void> {
    // The workers switch in place, so the spec changes without replacing them.
    this.spec = { ...this.spec, ring };
    await this.broadcast({ type: 'lab-ring', ring }, 'replace');
  }

  async lift(): Promise<void> {
    const pause = this.pause;
    this.pause = null;
    try {
      await this.broadcast({ type: 'lab-lift' }, 'replace');
    } finally {
      pause?.end();
    }
  }

  async hold(): Promise<void> {
    await this.broadcast({ type: 'lab-hold' }, 'fail');
  }

  async release(): Promise<void> {
    await this.broadcast({ type: 'lab-release' }, 'replace');
  }

  async sync(state: PeerState): Promise<void> {
    // The cluster announces every change of its shards; the workers need only those that change this.
    if (JSON.stringify(state) === JSON.stringify(this.spec.state)) return;
    this.spec = { ...this.spec, state };
    await this.broadcast({ type: 'lab-sync', state }, 'replace');
  }

  async writtenAfter(shard: number, lsn: string): Promise<string[]> {
    return this.broadcast({ type: 'lab-writes-after', shard, lsn }, 'replace');
  }

  /**
   * Sends a command to every worker and resolves once each has carried it out (a worker that exits meanwhile
   * no longer counts), with the keys they answered, if any.
   */
  private broadcast(command: PeerCommand, onFailure: OnFailure): Promise<string[]> {
    const workers = [...this.workers].filter((w) => !w.isDead());
    if (workers.length === 0) return Promise.resolve([]);
    const seq = ++this.seq;
    return new Promise<string[]>((resolve, reject) => {
      const pending: Pending = {
        command: command.type,
        waiting: new Set(workers.map((w) => w.id)),
        errors: [],
        keys: [],
        settle: () => {
          clearTimeout(timer);
          this.pending.delete(seq);
          const failed = [...pending.errors, ...[...pending.waiting].map((worker) => ({ worker, message: `no answer within ${PEER_TIMEOUT_MS / 1000} s` }))];
          if (failed.length === 0) return resolve(pending.keys);
          const what = failed.map((f) => `worker ${f.worker}: ${f.message}`).join('; ');
          if (onFailure === 'fail') return reject(new Error(`prefork: ${command.type} failed (${what})`));
          this.log(`prefork: ${command.type} failed (${what}); replacing those workers`);
          for (const f of failed) [...this.workers].find((w) => w.id === f.worker)?.process.kill('SIGKILL');
          resolve(pending.keys);
        },
      };
      const timer = setTimeout(() => pending.settle(), PEER_TIMEOUT_MS);
      this.pending.set(seq, pending);
      for (const w of workers) w.send({ ...command, seq } satisfies PrimaryMessage);
    });
  }

  private done(workerId: number, seq: number | null, error?: string, keys: string[] = []): void {
    for (const [s, p] of this.pending) {
      if (seq !== null && s !== seq) continue;
      if (!p.waiting.delete(workerId)) continue;
      if (error) p.errors.push({ worker: workerId, message: error });
      p.keys.push(...keys);
      if (p.waiting.size === 0) p.settle();
    }
  }

  count(): number {
    return this.workers.size;
  }

  /** Asks every worker to stop (each lets go of the port at once); resolves once all have exited. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all([this.leaving, ...[...this.workers].map((w) => this.retire(w))]);
  }

  private currentSpec(primaryUrl: string): WorkerSpec {
    return {
      config: this.config,
      catalog_url: this.lab.cluster.catalog.url,
      ring: this.lab.ring.version,
      state: this.lab.peerState(),
      primary_url: primaryUrl,
    };
  }

  /**
   * Forks one worker (once no write pause is up). Resolves once it listens on the public port, or, when `hold`,
   * once it is set up: it listens when sent `lab-listen`, and `listening` resolves then.
   */
  private async spawn(hold: boolean): Promise<{ worker: Worker; listening: Promise<void> }> {
    while (this.pause) await this.pause.lifted;
    const worker = cluster.fork({ LAB_WORKER_SPEC: JSON.stringify({ ...this.spec, hold }) });
    this.workers.add(worker);
    let ready!: () => void;
    const isReady = new Promise<void>((resolve) => (ready = resolve));
    worker.on('message', (msg: WorkerMessage) => {
      if (msg?.type === 'lab-metrics') {
        this.lab.metrics.addWorkerReport(worker.id, msg.report);
        this.lab.reads.add(msg.reads);
      }
      if (msg?.type === 'lab-done') this.done(worker.id, msg.seq, msg.error, msg.keys);
      if (msg?.type === 'lab-trace') traceStore.add(msg.trace);
      if (msg?.type === 'lab-pause') this.lab.ring.gate.record(msg.pause);
      if (msg?.type === 'lab-wrote') for (const w of this.workers) if (w !== worker && !w.isDead()) w.send(msg);
      if (msg?.type === 'lab-ready') ready();
    });
    let stuck = false;
    const starting = setTimeout(() => {
      stuck = true;
      worker.process.kill('SIGKILL');
    }, START_TIMEOUT_MS);
    void isReady.then(() => clearTimeout(starting));
    const listening = new Promise<void>((resolve, reject) => {
      let listens = false;
      worker.once('listening', (address) => {
        listens = true;
        clearTimeout(starting);
        this.port = address.port;
        resolve();
      });
      worker.once('exit', (code, signal) => {
        clearTimeout(starting);
        this.workers.delete(worker);
        this.lab.metrics.workerGone(worker.id);
        this.done(worker.id, null);
        if (stuck) return reject(new Error(`a prefork worker was not set up within ${START_TIMEOUT_MS / 1000} s and was stopped; its log is above`));
        if (!listens) return reject(new Error(`a prefork worker exited before listening (${signal ?? `code ${code}`}); its log is above`));
        if (this.stopping || worker.exitedAfterDisconnect || this.retiring.has(worker)) return;
        this.log(`prefork: worker ${worker.process.pid} died (${signal ?? `code ${code}`}); starting another`);
        setTimeout(() => {
          if (!this.stopping) this.spawn(false).catch((err: unknown) => this.log(`prefork: could not replace it: ${String(err)}`));
        }, RESPAWN_DELAY_MS).unref();
      });
    });
    if (!hold) {
      await listening;
      return { worker, listening };
    }
    // Handled here, awaited by the caller once the port is free; a worker that dies while setting up ends the wait.
    listening.catch(() => undefined);
    await Promise.race([isReady, listening]);
    return { worker, listening };
  }

  /** Asks a worker to finish its requests and exit; kills it by pid if it does not within 5 s. */
  private retire(worker: Worker): Promise<void> {
    if (worker.isDead()) return Promise.resolve();
    this.retiring.add(worker);
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
