import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Log } from '../cluster/cluster.js';
import { stoppedShards } from '../cluster/shard.js';
import { ConflictError } from '../domain/errors.js';
import type { LabConfig } from '../config.js';
import type { Lab } from '../lab/lab.js';
import { Prefork } from './prefork.js';

/** One of the primary's HTTP servers; `drain` stops it listening and has every client reconnect elsewhere. */
export interface Served {
  server: http.Server;
  drain(): void;
}

/**
 * Who serves the public port: the primary itself (0 workers) or N prefork workers, changed while the lab runs
 * (the tuning chapter's `workers` knob). A change replaces every worker: the new ones listen before the old
 * ones retire, and clients of a retiring process are told to reconnect (`Connection: close`), so a load test
 * moves over to the new set. Between the primary and the workers the port changes hands: the workers set up
 * first and listen once the primary has let go, so it has no listener for moments (see docs/prefork.md).
 */
export class PublicPort {
  private prefork: Prefork | null = null;
  private loopback: Served | null;
  private queue: Promise<unknown> = Promise.resolve();
  /** Workers let go by a change to 0, still finishing their requests. */
  private leaving: Promise<void> = Promise.resolve();

  private constructor(
    private readonly lab: Lab,
    private readonly config: LabConfig,
    private readonly log: Log,
    private readonly make: () => Served,
    private own: Served | null,
    loopback: Served | null,
    /** The public port's number (known once something listens on it). */
    public port: number,
  ) {
    this.loopback = loopback;
  }

  /** Serves the public port as `config.workers` says: the primary's first server there, or workers with it on loopback. */
  static async open(lab: Lab, config: LabConfig, log: Log, make: () => Served): Promise<PublicPort> {
    const first = make();
    if (config.workers === 0) {
      await listen(first.server, config.port, config.host, config.port);
      return new PublicPort(lab, config, log, make, first, null, (first.server.address() as AddressInfo).port);
    }
    await listen(first.server, 0, '127.0.0.1', config.port);
    const p = new PublicPort(lab, config, log, make, null, first, config.port);
    p.prefork = await Prefork.start(lab, config, urlOf(first.server), log);
    p.port = p.prefork.port;
    p.counted(config.workers);
    return p;
  }

  /** The primary's first server: on the public port, or on loopback under prefork. */
  get primaryServer(): http.Server {
    return (this.loopback ?? this.own)!.server;
  }

  /** Changes the number of workers (0: the primary serves the API itself); one change at a time, in order. */
  setWorkers(count: number): Promise<void> {
    const next = this.queue.then(() => this.change(count));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async change(count: number): Promise<void> {
    const now = this.lab.preforkWorkers;
    if (count === now) return;
    // A worker checks every shard as it starts and refuses to serve without one.
    const stopped = stoppedShards(count > 0 ? this.lab.cluster.shards : []);
    if (stopped.names.length > 0)
      throw new ConflictError(
        'shard_not_up',
        `New workers need every shard to answer, and ${stopped.said}: start or resume it first (shards start, shards resume). Nothing was changed.`,
        { shards: stopped.names },
      );
    if (this.prefork && count > 0) await this.prefork.resize(count);
    else if (count > 0) await this.toWorkers(count);
    else await this.toPrimary();
    this.counted(count);
    this.log(`prefork: ${count === 0 ? 'the primary serves /api/v1 itself' : `${count} workers serve /api/v1`} on port ${this.port} (was ${now})`);
  }

  private async toWorkers(count: number): Promise<void> {
    if (!this.loopback) {
      this.loopback = this.make();
      await listen(this.loopback.server, 0, '127.0.0.1', 0);
    }
    const own = this.own;
    try {
      this.prefork = await Prefork.start(this.lab, { ...this.config, port: this.port, workers: count }, urlOf(this.loopback.server), this.log, async () => {
        own?.drain();
        this.own = null;
      });
    } catch (err) {
      // The workers did not take the port over: the primary serves it again.
      if (!this.own) await this.toPrimary();
      throw err;
    }
  }

  private async toPrimary(): Promise<void> {
    // Not awaited: the request that asked for this may be on its way back through a worker. Each worker lets go
    // of the port when asked, so the primary listens again as soon as the port is free.
    this.leaving = Promise.all([this.leaving, this.prefork?.stop()]).then(() => undefined);
    this.prefork = null;
    this.lab.peers = null;
    const own = this.make();
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await listen(own.server, this.port, this.config.host, this.port);
        break;
      } catch (err) {
        if (Date.now() > deadline || !/already in use/.test(String(err))) throw err;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    this.own = own;
  }

  private counted(count: number): void {
    this.lab.preforkWorkers = count;
    this.lab.workers = Math.max(1, count);
  }

  /** Stops the workers and closes the primary's servers (clients get 2 s to finish). */
  async stop(): Promise<void> {
    await this.queue;
    await Promise.all([this.leaving, this.prefork?.stop()]);
    await Promise.all([this.own, this.loopback].map((s) => (s ? close(s.server) : undefined)));
  }
}

function urlOf(server: http.Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function listen(server: http.Server, port: number, host: string, publicPort: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new Error(`Port ${publicPort} is already in use; set PORT to another port.`) : err),
    );
    server.listen(port, host, resolve);
  });
}

function close(server: http.Server): Promise<void> {
  server.closeIdleConnections();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  setTimeout(() => server.closeAllConnections(), 2_000).unref();
  return closed;
}
