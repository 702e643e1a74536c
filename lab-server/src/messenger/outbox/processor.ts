import type { Cluster, Log } from '../../cluster/cluster.js';
import { ShardUnavailableError } from '../../cluster/errors.js';
import { onShardPrisma, type Prisma } from '../../data/prisma.js';
import { complete, lease, retryLater } from './outbox.js';

export type OutboxHandler = (payload: Prisma.JsonValue) => Promise<void>;

const BATCH = 50;
/** Longer than any handler should take; a worker that dies mid-event loses its lease after this. */
const LEASE_MS = 30_000;
const IDLE_POLL_MS = 1_000;

/**
 * Applies outbox events in the background: every shard's outbox, in id order, one batch at a time. A failed
 * event (say its target shard is down) is retried later with backoff and shows in GET /lab/v1/outbox.
 * `wake()` skips the idle wait, so an event written by a request is applied within milliseconds.
 */
export class OutboxProcessor {
  private readonly handlers = new Map<string, OutboxHandler>();
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private woken = false;
  private lastError: string | null = null;

  constructor(
    private readonly cluster: Pick<Cluster, 'shards' | 'pools'>,
    private readonly log: Log,
  ) {}

  on(topic: string, handler: OutboxHandler): void {
    this.handlers.set(topic, handler);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  /** One pass over every shard (as the shard list is now); resolves with the number of events applied. */
  async processOnce(): Promise<number> {
    const counts = await Promise.all(this.cluster.shards.map((s) => this.processShard(s.id)));
    return counts.reduce((a, b) => a + b, 0);
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.woken = false;
      let applied = 0;
      try {
        applied = await this.processOnce();
        this.lastError = null;
      } catch (err) {
        // Logged once, not every poll (e.g. shards not migrated yet when LAB_MIGRATE_ON_START=false).
        const message = `outbox: ${err instanceof Error ? err.message : String(err)}`;
        if (message !== this.lastError) this.log(message);
        this.lastError = message;
      }
      if (applied === 0 && !this.woken && this.running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, IDLE_POLL_MS);
          this.wakeUp = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wakeUp = null;
      }
    }
  }

  private async processShard(shard: number): Promise<number> {
    try {
      return await onShardPrisma(this.cluster, shard, async (db) => {
        const events = await lease(db, BATCH, LEASE_MS);
        for (const e of events) {
          const handler = this.handlers.get(e.topic);
          try {
            if (!handler) throw new Error(`no handler for topic '${e.topic}'`);
            await handler(e.payload);
            await complete(db, e.id);
          } catch (err) {
            const message = err instanceof Error ? err.message : String(err);
            await retryLater(db, e.id, e.attempts, message);
          }
        }
        return events.length;
      });
    } catch (err) {
      // A shard that is down keeps its events; they are applied once it is back.
      if (err instanceof ShardUnavailableError) return 0;
      throw err;
    }
  }
}
