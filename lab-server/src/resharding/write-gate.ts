import { ringHash } from '../sharding/hash.js';
import type { Router } from '../sharding/router.js';

/** An inclusive range of the 32-bit hash space. */
export interface HashRange {
  start: number;
  end: number;
}

export const inRanges = (hash: number, ranges: readonly HashRange[]): boolean => ranges.some((r) => hash >= r.start && hash <= r.end);

interface Fence {
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

  /** Runs `fn` holding the gate for `hash`; `fn` must route inside, so a write paused by a fence routes afresh. */
  async run<T>(hash: number, fn: () => Promise<T>): Promise<T> {
    while (this.fenceState && inRanges(hash, this.fenceState.ranges)) await this.fenceState.lifted;
    this.inFlight.set(hash, (this.inFlight.get(hash) ?? 0) + 1);
    try {
      return await fn();
    } finally {
      const n = this.inFlight.get(hash)! - 1;
      if (n === 0) this.inFlight.delete(hash);
      else this.inFlight.set(hash, n);
      if (this.drained && this.fenceState && this.inFlightIn(this.fenceState.ranges) === 0) this.drained();
    }
  }

  /** Pauses new writes in `ranges` and resolves once no write in them is still running. */
  async fence(ranges: HashRange[]): Promise<void> {
    if (this.fenceState) throw new Error('a fence is already up');
    let lift!: () => void;
    const lifted = new Promise<void>((resolve) => (lift = resolve));
    this.fenceState = { ranges, lifted, lift };
    if (this.inFlightIn(ranges) === 0) return;
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

  get fenced(): HashRange[] {
    return this.fenceState?.ranges ?? [];
  }

  private inFlightIn(ranges: readonly HashRange[]): number {
    let n = 0;
    for (const [hash, count] of this.inFlight) if (inRanges(hash, ranges)) n += count;
    return n;
  }
}

/**
 * A write by sharding key: holds the gate for the key's hash and routes inside it, so a write paused by a
 * reshard's cutover routes afresh (to the new owner) when the pause ends.
 */
export function writeByKey<T>(gate: WriteGate, router: () => Router, key: string, fn: (shard: number) => Promise<T>): Promise<T> {
  const hash = ringHash(key);
  return gate.run(hash, () => fn(router().routeHash(hash).shard_id));
}
