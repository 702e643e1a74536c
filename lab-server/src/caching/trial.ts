import { ConflictError } from '../domain/errors.js';
import type { SelfClient } from '../net/self-client.js';
import { type CacheMode, type CacheStats, userCache } from './user-cache.js';

/** What one cache mode did: reads by id, the cache's hits, and reads right after an update that returned the old row. */
export interface CacheModeResult {
  mode: Exclude<CacheMode, 'off'>;
  reads: number;
  hits: number;
  misses: number;
  /** hits / reads, in percent. */
  hit_percent: number;
  updates: number;
  /** Reads right after the reader's own update that still showed the old name. */
  stale_reads: number;
  errors: number;
}

export interface CacheTrial {
  finished_at: string;
  users: number;
  rounds: number;
  ttl_s: number;
  results: CacheModeResult[];
}

/** Long enough that nothing expires during a trial: the staleness it shows is the missing invalidation's alone. */
const TRIAL_TTL_S = 600;

/**
 * The same read-mostly workload under cache-aside without and with invalidation: `users` users are read by id
 * `rounds` times each, and every round one of them is renamed and read back at once. Without invalidation that
 * read returns the cached old row until it expires; with it, the new one. The cache mode is put back afterwards.
 */
export class CacheTrials {
  private latest: CacheTrial | null = null;
  private running = false;

  last(): CacheTrial | null {
    return this.latest;
  }

  forget(): void {
    this.latest = null;
  }

  async run(api: SelfClient, users: number, rounds: number): Promise<CacheTrial> {
    if (this.running) throw new ConflictError('trial_running', 'A cache trial is already running; wait for it to finish.');
    this.running = true;
    const before: CacheStats = userCache.stats();
    try {
      const results: CacheModeResult[] = [];
      for (const mode of ['ttl-only', 'invalidate'] as const) results.push(await runMode(api, mode, users, rounds));
      this.latest = { finished_at: new Date().toISOString(), users, rounds, ttl_s: TRIAL_TTL_S, results };
      return this.latest;
    } finally {
      userCache.configure(before.mode, before.ttl_s);
      this.running = false;
    }
  }
}

async function runMode(api: SelfClient, mode: CacheModeResult['mode'], users: number, rounds: number): Promise<CacheModeResult> {
  userCache.configure(mode, TRIAL_TTL_S);
  let errors = 0;
  let stale = 0;
  let reads = 0;
  const ids: string[] = [];
  for (let i = 0; i < users; i++) {
    const r = await api.call<{ id?: string }>('POST', '/api/v1/users', { first_name: 'Cached', last_name: 'v0' });
    if (r.status === 201 && r.body?.id) ids.push(r.body.id);
    else errors++;
  }
  for (let round = 1; round <= rounds; round++) {
    for (const id of ids) {
      reads++;
      if ((await api.call('GET', `/api/v1/users/${id}`)).status !== 200) errors++;
    }
    const target = ids[round % ids.length];
    if (!target) continue;
    const name = `v${round}`;
    if ((await api.call('PUT', `/api/v1/users/${target}`, { last_name: name })).status !== 200) errors++;
    reads++;
    const back = await api.call<{ last_name?: string }>('GET', `/api/v1/users/${target}`);
    if (back.status !== 200) errors++;
    else if (back.body?.last_name !== name) stale++;
  }
  const s = userCache.stats();
  for (const id of ids) if ((await api.call('DELETE', `/api/v1/users/${id}`)).status !== 204) errors++;
  return {
    mode,
    reads,
    hits: s.hits,
    misses: s.misses,
    hit_percent: reads ? Math.round((s.hits / reads) * 1000) / 10 : 0,
    updates: rounds,
    stale_reads: stale,
    errors,
  };
}

/** The trials of this process (the cache is per process too). */
export const cacheTrials = new CacheTrials();
