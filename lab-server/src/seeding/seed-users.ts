import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Cluster } from '../cluster/cluster.js';
import { JobCancelledError, throwIfCancelled, type JobContext } from '../jobs/registry.js';
import { ringHash } from '../sharding/hash.js';
import type { Router } from '../sharding/router.js';
import { CopyWriter } from './copy-writer.js';
import { copyLine, generateUser } from './generate.js';

const COLUMNS = ['id', 'first_name', 'last_name', 'email', 'created_at', 'updated_at'] as const;
const BATCH = 5_000;

export interface SeedResult extends Record<string, unknown> {
  users: number;
  per_shard: { shard_name: string; users: number }[];
  seconds: number;
  rows_per_s: number;
}

/**
 * Generates `count` users, routes each by the ring, and streams them into every shard at once with COPY.
 * All shards commit only after all have loaded; a failure or cancel rolls every shard back, so a seed
 * either lands whole or leaves no rows behind.
 */
export async function seedUsers(cluster: Cluster, router: Router, count: number, ctx: JobContext): Promise<SeedResult> {
  const started = performance.now();
  const writers: CopyWriter[] = [];
  try {
    for (const shard of cluster.shards) {
      const client = await cluster.connectBulk(shard.id, 'shard-lab-seed');
      writers.push(await CopyWriter.open(client, shard.name, 'users', COLUMNS));
    }
    const now = Date.now();
    for (let done = 0; done < count; ) {
      throwIfCancelled(ctx.signal);
      const n = Math.min(BATCH, count - done);
      const chunks = writers.map(() => ({ text: '', rows: 0 }));
      for (let i = 0; i < n; i++) {
        const u = generateUser(now);
        const chunk = chunks[router.routeHash(ringHash(u.id)).shard_id]!;
        chunk.text += copyLine([u.id, u.first_name, u.last_name, u.email, u.created_at, u.created_at]);
        chunk.rows++;
      }
      await Promise.all(writers.map((w, i) => w.write(chunks[i]!.text, chunks[i]!.rows)));
      done += n;
      ctx.progress(done);
      // Writes that do not need to wait resolve as microtasks; yield so HTTP requests (and cancel) get served.
      await yieldToEventLoop();
    }
    await Promise.all(writers.map((w) => w.end()));
    throwIfCancelled(ctx.signal);
    for (const w of writers) await w.commit();
  } catch (err) {
    await Promise.all(writers.map((w) => w.rollback()));
    const landed = writers.filter((w) => w.committed);
    if (landed.length > 0) {
      // Only a shard dying between two COMMITs gets here; say exactly what stayed so nothing is lost silently.
      const where = landed.map((w) => `${w.shardName} (${w.rows})`).join(', ');
      throw new Error(`seed failed after some shards committed; rows kept on ${where}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    if (err instanceof JobCancelledError) throw err;
    throw new Error(`${err instanceof Error ? err.message : String(err)}. The seed was rolled back on every shard and kept nothing; run it again once every shard is up.`, { cause: err });
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    users: count,
    per_shard: writers.map((w) => ({ shard_name: w.shardName, users: w.rows })),
    seconds: Math.round(seconds * 100) / 100,
    rows_per_s: Math.round(count / seconds),
  };
}
