/**
 * Cache-aside for reads by id, in this process (no Redis or Valkey here: a Map with an expiry per entry plays
 * the cache, with the same rules). `ttl-only` is the original guide's pattern without invalidation: an entry
 * lives until it expires, whatever is written meanwhile; `invalidate` also deletes the entry on every write.
 * Per process, like the prepared-statements switch: the lab refuses it under prefork workers.
 */
export type CacheMode = 'off' | 'ttl-only' | 'invalidate';

export interface CacheStats {
  mode: CacheMode;
  ttl_s: number;
  entries: number;
  hits: number;
  misses: number;
  invalidations: number;
}

export class KeyCache<T> {
  private entries = new Map<string, { value: T; expires: number }>();
  private mode: CacheMode = 'off';
  private ttlMs = 900_000;
  private hits = 0;
  private misses = 0;
  private invalidations = 0;

  /** A new mode or expiry starts empty, with the counts at zero. */
  configure(mode: CacheMode, ttlS: number): void {
    this.mode = mode;
    this.ttlMs = ttlS * 1000;
    this.entries.clear();
    this.hits = this.misses = this.invalidations = 0;
  }

  get on(): boolean {
    return this.mode !== 'off';
  }

  /** The cached value, or undefined (a miss) when there is none or it expired. */
  get(key: string, now = Date.now()): T | undefined {
    if (!this.on) return undefined;
    const e = this.entries.get(key);
    if (e && e.expires > now) {
      this.hits++;
      return e.value;
    }
    if (e) this.entries.delete(key);
    this.misses++;
    return undefined;
  }

  set(key: string, value: T, now = Date.now()): void {
    if (this.on) this.entries.set(key, { value, expires: now + this.ttlMs });
  }

  /** A write of the key: deletes its entry when invalidating; `ttl-only` leaves it to expire. */
  wrote(key: string): void {
    if (this.mode === 'invalidate' && this.entries.delete(key)) this.invalidations++;
  }

  stats(): CacheStats {
    return { mode: this.mode, ttl_s: this.ttlMs / 1000, entries: this.entries.size, hits: this.hits, misses: this.misses, invalidations: this.invalidations };
  }
}

/** The users API's cache of users by id: process-wide, like the data layer it sits in front of. */
export const userCache = new KeyCache<unknown>();
