import { ringHash } from './hash.js';
import type { Router } from './router.js';
import { currentRequest } from '../tracing/current-request.js';
import { inSpanSync } from '../tracing/tracing.js';

/** An inclusive range of the 32-bit hash space. */
export interface HashRange {
  start: number;
  end: number;
}

export const inRanges = (hash: number, ranges: readonly HashRange[]): boolean => ranges.some((r) => hash >= r.start && hash <= r.end);

/** A write that waited at a fence: which request, for which keys, how long, and where its keys routed before and after. */
export interface WritePause {
  request: string | null;
  keys: string[];
  paused_at: string;
  waited_ms: number;
  /** The keys' shards by the ring in force when the write stopped, and when it went on (a cutover switches rings inside the fence). */
  shards_before: string[];
  shards_after: string[];
  /** The API process that served it: `main`, or `worker <pid>` under prefork. */
  process: string;
}

/** How many pauses the gate remembers (the newest). */
export const PAUSES_KEPT = 500;

/** What a write tells the gate about itself, so a pause can be reported: its keys and where they route now. */
export interface WriteLabel {
  keys: readonly string[];
  shards: () => string[];
}

interface Fence {
  covers: (hash: number) => boolean;
  /** The ranges, when the fence was put up by ranges (a reshard); empty for a fence by predicate. */
  ranges: HashRange[];
  /** Resolves when the fence is lifted. */
  lifted: Promise<void>;
  lift: () => void;
}

/**
 * The brief write pause at a reshard's cutover. Every write holds the gate for its key's hash while it routes
 * and runs; `fence(ranges)` stops new writes in those ranges and waits for the ones in flight, so the copy can
 * catch up to a point no write will pass. Writes outside the ranges never wait. Writers that waited route again
 * after the fence lifts — by then with the new ring.
 */
export class WriteGate {
  private readonly inFlight = new Map<number, number>();
  private fenceState: Fence | null = null;
  private drained: (() => void) | null = null;
  private readonly pauseLog: WritePause[] = [];
  private waitingNow = 0;
  /** This process, as its pauses name it (a prefork worker sets `worker <pid>`). */
  servedBy = 'main';
  /** Set in a prefork worker: each pause is also handed to the primary, which keeps the lab's list. */
  onPause: ((pause: WritePause) => void) | null = null;

  /** Runs `fn` holding the gate for `hash`; `fn` must route inside, so a write paused by a fence routes afresh. */
  run<T>(hash: number, fn: () => Promise<T>, label?: WriteLabel): Promise<T> {
    return this.runAll([hash], fn, label);
  }

  /** Runs `fn` holding the gate for every hash (one write touching several keys); it waits while any is fenced. */
  async runAll<T>(hashes: readonly number[], fn: () => Promise<T>, label?: WriteLabel): Promise<T> {
    let paused: { at: number; since: number; before: string[] } | null = null;
    for (;;) {
      const fence = this.fenceState;
      if (!fence || !hashes.some(fence.covers)) break;
      paused ??= { at: Date.now(), since: performance.now(), before: label?.shards() ?? [] };
      this.waitingNow++;
      try {
        await fence.lifted;
      } finally {
        this.waitingNow--;
      }
    }
    if (paused) this.remember(paused, label);
    for (const hash of hashes) this.inFlight.set(hash, (this.inFlight.get(hash) ?? 0) + 1);
    try {
      return await fn();
    } finally {
      for (const hash of hashes) {
        const n = this.inFlight.get(hash)! - 1;
        if (n === 0) this.inFlight.delete(hash);
        else this.inFlight.set(hash, n);
      }
      if (this.drained && this.fenceState && this.inFlightUnder(this.fenceState.covers) === 0) this.drained();
    }
  }

  /** Pauses new writes in `ranges` and resolves once no write in them is still running. */
  fence(ranges: HashRange[]): Promise<void> {
    return this.fenceWhere((hash) => inRanges(hash, ranges), ranges);
  }

  /** Pauses new writes whose hash `covers` accepts (e.g. every key of one shard, for a promotion). */
  async fenceWhere(covers: (hash: number) => boolean, ranges: HashRange[] = []): Promise<void> {
    if (this.fenceState) throw new Error('a fence is already up');
    let lift!: () => void;
    const lifted = new Promise<void>((resolve) => (lift = resolve));
    this.fenceState = { covers, ranges, lifted, lift };
    if (this.inFlightUnder(covers) === 0) return;
    await new Promise<void>((resolve) => (this.drained = resolve));
    this.drained = null;
  }

  /** Lets paused writes continue. */
  lift(): void {
    const f = this.fenceState;
    this.fenceState = null;
    this.drained = null;
    f?.lift();
  }

  /** The writes that waited at a fence, oldest first (the last PAUSES_KEPT). */
  get pauses(): readonly WritePause[] {
    return this.pauseLog;
  }

  /** A pause another API process recorded (a prefork worker's), kept in the order the writes stopped. */
  record(pause: WritePause): void {
    let i = this.pauseLog.length;
    while (i > 0 && this.pauseLog[i - 1]!.paused_at > pause.paused_at) i--;
    this.pauseLog.splice(i, 0, pause);
    if (this.pauseLog.length > PAUSES_KEPT) this.pauseLog.shift();
  }

  /** Writes waiting at a fence right now. */
  get waiting(): number {
    return this.waitingNow;
  }

  private remember(paused: { at: number; since: number; before: string[] }, label: WriteLabel | undefined): void {
    const pause: WritePause = {
      request: currentRequest(),
      keys: [...(label?.keys ?? [])],
      paused_at: new Date(paused.at).toISOString(),
      waited_ms: Math.round((performance.now() - paused.since) * 100) / 100,
      shards_before: paused.before,
      shards_after: label?.shards() ?? [],
      process: this.servedBy,
    };
    this.record(pause);
    this.onPause?.(pause);
  }

  get fenced(): HashRange[] {
    return this.fenceState?.ranges ?? [];
  }

  private inFlightUnder(covers: (hash: number) => boolean): number {
    let n = 0;
    for (const [hash, count] of this.inFlight) if (covers(hash)) n += count;
    return n;
  }
}

/**
 * A write by sharding key: holds the gate for the key's hash and routes inside it, so a write paused by a
 * reshard's cutover routes afresh (to the new owner) when the pause ends.
 */
export function writeByKey<T>(gate: WriteGate, router: () => Router, key: string, fn: (shard: number) => Promise<T>): Promise<T> {
  const hash = ringHash(key);
  return gate.run(
    hash,
    () => {
      const ring = router();
      return fn(
        inSpanSync(
          'ring lookup',
          () => ring.routeHash(hash),
          (r, span) => span.setAttributes(ring.spanAttributes(key, r)),
        ).shard_id,
      );
    },
    { keys: [key], shards: () => [router().routeHash(hash).shard_name] },
  );
}

/** A write by several keys at once (e.g. inbox rows for every member): `fn` gets the keys grouped by shard, routed inside the gate. */
export function writeByKeys<T>(gate: WriteGate, router: () => Router, keys: readonly string[], fn: (byShard: Map<number, string[]>) => Promise<T>): Promise<T> {
  const hashes = keys.map(ringHash);
  const shards = () => hashes.map((h) => router().routeHash(h).shard_name);
  return gate.runAll(
    hashes,
    () => {
      const r = router();
      const byShard = new Map<number, string[]>();
      keys.forEach((key, i) => {
        const shard = r.routeHash(hashes[i]!).shard_id;
        byShard.set(shard, [...(byShard.get(shard) ?? []), key]);
      });
      return fn(byShard);
    },
    { keys, shards },
  );
}

/** What a write pause covers: hash ranges (a reshard's moving ranges) or every key of one shard (a promotion). */
export type FenceTarget = { ranges: HashRange[] } | { shard: number };

/** The hashes a fence target covers, by the given router for a shard target. */
export function covers(target: FenceTarget, router: () => Router): (hash: number) => boolean {
  if ('ranges' in target) return (hash) => inRanges(hash, target.ranges);
  return (hash) => router().routeHash(hash).shard_id === target.shard;
}
