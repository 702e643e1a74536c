import { EventEmitter } from 'node:events';
import type { EmbeddedServer } from './embedded-server.js';
import type { ShardSpec } from './topology-store.js';
import { toInfo, type ClusterEvents, type Log, type Shard, type ShardInfo, type ShardStatus } from './shard.js';

/**
 * The cluster's shards as records: finding them, their status, and the events that report both. Every other
 * part of the cluster changes shards through it, so a change is announced once, in one place.
 */
export class ShardSet extends EventEmitter<ClusterEvents> {
  /** Sorted by id. */
  readonly shards: Shard[] = [];
  private stopped = false;

  constructor(protected readonly log: Log) {
    super();
  }

  /** Set once the cluster closes: servers exiting and checks finishing after it report nothing. */
  get closed(): boolean {
    return this.stopped;
  }

  protected markClosed(): void {
    this.stopped = true;
  }

  shard(id: number): Shard {
    const shard = this.shards.find((s) => s.id === id);
    if (!shard) throw new RangeError(`no shard ${id}`);
    return shard;
  }

  byName(name: string): Shard | undefined {
    return this.shards.find((s) => s.name === name);
  }

  /** Whether the shard is still in the set (a removed shard's record lives on in requests that held it). */
  has(shard: Shard): boolean {
    return this.shards.includes(shard);
  }

  info(): ShardInfo[] {
    return this.shards.map(toInfo);
  }

  specs(): ShardSpec[] {
    return this.shards.map((s) => ({ id: s.id, name: s.name, url: s.url, port: s.server?.spec.port ?? null, ...(s.slot ? { slot: s.slot } : {}) }));
  }

  /** The id the next added shard gets: one more than any shard ever in this cluster's current list. */
  nextShardId(): number {
    return this.shards.reduce((max, s) => Math.max(max, s.id), -1) + 1;
  }

  /** Whether a shard with this id is in the set. */
  hasId(id: number): boolean {
    return this.shards.some((s) => s.id === id);
  }

  /** Adds a record whose id is not in the set yet; a server this process runs is watched from now on. */
  add(shard: Shard): void {
    if (shard.server) this.watchPrimary(shard, shard.server);
    this.shards.push(shard);
    this.shards.sort((a, b) => a.id - b.id);
  }

  delete(shard: Shard): void {
    this.shards.splice(this.shards.indexOf(shard), 1);
  }

  /** Marks the shard down when its primary's server exits without being asked to. */
  watchPrimary(shard: Shard, server: EmbeddedServer): void {
    server.on('exit', (code: number | null, signal: string | null, expected: boolean) => {
      if (expected || this.closed || shard.server !== server) return;
      const how = signal ? `killed by ${signal}` : `exit code ${code}`;
      this.log(`${shard.name}: PostgreSQL exited unexpectedly (${how}); requests for its keys now get 503. Log: ${server.logFile}`);
      this.setStatus(shard, 'down', how);
    });
  }

  setStatus(shard: Shard, status: ShardStatus, error: string | null): void {
    shard.lastError = status === 'up' ? null : error;
    if (shard.status === status) return;
    const previous = shard.status;
    shard.status = status;
    if (previous !== 'starting') this.log(`${shard.name}: ${previous} -> ${status}${error ? ` (${error})` : ''}`);
    this.emit('status', toInfo(shard), previous);
  }

  /** Reports a change to the shard's replica (its status or lag state): the shard's own status is unchanged. */
  replicaChanged(shard: Shard): void {
    this.emit('status', toInfo(shard), shard.status);
  }

  /** Reports that shards or replicas were added, removed or changed hands. */
  announce(): void {
    this.emit('shards', this.info());
  }
}
