import type { LabConfig } from '../config.js';
import { ClusterError } from './errors.js';
import type { HealthMonitor } from './health-monitor.js';
import type { ServerLayout } from './layout.js';
import type { ShardSet } from './shard-set.js';

type FaultSignal = 'SIGKILL' | 'SIGSTOP' | 'SIGCONT';

/** Fault injection on embedded shards: killing, pausing and resuming a primary's postmaster, and starting it again. */
export class Faults {
  constructor(
    private readonly set: ShardSet,
    private readonly layout: ServerLayout,
    private readonly health: HealthMonitor,
    private readonly config: Pick<LabConfig, 'pool'>,
  ) {}

  /** SIGKILL, SIGSTOP (pause) or SIGCONT (resume) to the shard's postmaster. */
  async signal(id: number, signal: FaultSignal): Promise<void> {
    const shard = this.set.shard(id);
    const server = shard.server;
    if (!server?.pid) throw new ClusterError(`${shard.name} is not a running server of this lab.`);
    // After a kill, answer once the server is gone and the shard marked down, not while it is still dying.
    const gone = signal === 'SIGKILL' ? new Promise<void>((resolve) => server.once('exit', () => resolve())) : null;
    await server.signal(signal);
    await gone;
    if (signal === 'SIGSTOP') this.set.setStatus(shard, 'paused', 'paused (SIGSTOP)');
    if (signal === 'SIGCONT') {
      // Answer with what the shard is now, not 'paused' until the next health tick. A check begun during the
      // pause may still time out just after it, so one that fails is tried again, up to the connect timeout.
      const deadline = Date.now() + this.config.pool.connectTimeoutMs;
      let check = await shard.probe.check();
      while (!check.ok && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        check = await shard.probe.check();
      }
      this.set.setStatus(shard, check.ok ? 'up' : 'down', check.error);
    }
  }

  /** Starts an embedded shard's server again (after a kill); its data is whatever PostgreSQL recovers. */
  async restart(id: number): Promise<void> {
    const shard = this.set.shard(id);
    if (!shard.server) throw new ClusterError(`${shard.name} is not a server this lab runs.`);
    if (shard.server.pid) return;
    await shard.server.start();
    await this.layout.save();
    await this.health.check();
  }
}
