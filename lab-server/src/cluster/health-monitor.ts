import { replicaLag } from './replica.js';
import type { Replica, Shard } from './shard.js';
import type { ShardSet } from './shard-set.js';

/** Watches every shard and replica: a check on an interval and on demand, reported as status changes. */
export class HealthMonitor {
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly set: ShardSet) {}

  /** Checks every shard (and replica, with its lag) now; the monitor also does this on its own interval. */
  async check(): Promise<void> {
    await Promise.all(
      [...this.set.shards].map(async (shard) => {
        const { ok, error } = await shard.probe.check();
        if (this.set.closed || !this.set.has(shard)) return;
        if (shard.replica) await this.checkReplica(shard, shard.replica, ok);
        if (!ok && shard.status === 'paused') return;
        this.set.setStatus(shard, ok ? 'up' : 'down', error);
      }),
    );
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.check(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private async checkReplica(shard: Shard, replica: Replica, primaryUp: boolean): Promise<void> {
    const { ok, error } = await replica.probe.check();
    const status = ok ? 'up' : 'down';
    if (!ok) replica.error = error ?? 'it did not answer';
    else replica.error = null;
    const lag = primaryUp ? await replicaLag(shard.pool, replica.name).catch(() => replica.lag) : replica.lag;
    const changed = status !== replica.status || lag.state !== replica.lag.state;
    replica.status = status;
    replica.lag = lag;
    if (changed) this.set.replicaChanged(shard);
  }
}
