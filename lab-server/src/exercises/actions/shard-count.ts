import { z } from 'zod';
import { stepSchema, type ActionKind } from '../action-kind.js';
import type { ExerciseContext } from '../context.js';
import { callAndWait, newestShard, removeShardPath } from './lab-api.js';

const spec = stepSchema('shard-count', { equals: z.union([z.number().int().min(1), z.literal('configured')]) });

/** Removes the newest shards, or adds shards with rebalancing, one at a time, until the ring has `target`. */
export async function bringShardCount(ctx: ExerciseContext, target: number): Promise<string> {
  const ring = () => ctx.lab.ring.router.names;
  const start = ring().length;
  while (ring().length > target) await callAndWait(ctx, 'DELETE', removeShardPath(newestShard(ring())));
  while (ring().length < target) await callAndWait(ctx, 'POST', '/lab/v1/shards', { mode: 'rebalance' });
  return start === target ? `The ring already has ${target} shards.` : `The ring went from ${start} to ${target} shards.`;
}

/** Brings the ring to a number of shards: a chapter's reset uses it to undo any adds and removes. */
export const shardCount: ActionKind<z.output<typeof spec>> = {
  do: 'shard-count',
  spec,
  describe: (s) => `Bring the ring to ${s.equals === 'configured' ? 'the configured number of' : s.equals} shards`,
  run: async (s, ctx) => ({ detail: await bringShardCount(ctx, s.equals === 'configured' ? ctx.lab.config.shardCount : s.equals) }),
};
