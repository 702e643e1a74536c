import { z } from 'zod';

// The cache API's reply shapes (`/lab/v1/cache`), following caching/user-cache.ts and caching/trial.ts.

const MODE = z.enum(['off', 'ttl-only', 'invalidate']).describe('off; ttl-only: entries live until they expire; invalidate: a write also deletes the entry');

export const CacheTrialSchema = z
  .object({
    finished_at: z.string(),
    users: z.number(),
    rounds: z.number(),
    ttl_s: z.number().describe('the expiry during the trial: long, so the staleness seen is the missing invalidation alone'),
    results: z.array(
      z.object({
        mode: z.enum(['ttl-only', 'invalidate']),
        reads: z.number(),
        hits: z.number(),
        misses: z.number(),
        hit_percent: z.number().describe('hits / reads'),
        updates: z.number(),
        stale_reads: z.number().describe('reads right after the reader’s own update that still showed the old row'),
        errors: z.number(),
      }),
    ),
  })
  .meta({ id: 'CacheTrial' });

export const CacheStatusSchema = z
  .object({
    mode: MODE,
    ttl_s: z.number(),
    entries: z.number(),
    hits: z.number(),
    misses: z.number(),
    invalidations: z.number(),
    backend: z.string().describe('what plays the cache: a map in the API process (no Redis or Valkey here)'),
    last_trial: CacheTrialSchema.nullable(),
  })
  .meta({ id: 'CacheStatus' });
