import { z } from 'zod';
import { stepSchema, type ActionKind } from '../action-kind.js';
import { callAndWait } from './lab-api.js';

const spec = stepSchema('add-shard', { mode: z.enum(['rebalance', 'faithful']) });

/** Adds a shard through `POST /lab/v1/shards` and waits for the job. */
export const addShard: ActionKind<z.output<typeof spec>> = {
  do: 'add-shard',
  spec,
  describe: (s) =>
    `Add a shard, ${s.mode === 'faithful' ? 'faithfully (the ring changes, no row moves)' : 'rebalancing (rows move to it)'} — POST /lab/v1/shards`,
  run: async (s, ctx) => ({ detail: await callAndWait(ctx, 'POST', '/lab/v1/shards', { mode: s.mode }) }),
};
