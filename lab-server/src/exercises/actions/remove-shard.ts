import { z } from 'zod';
import { stepSchema, type ActionKind } from '../action-kind.js';
import { callAndWait, newestShard, removeShardPath } from './lab-api.js';

const spec = stepSchema('remove-shard', { shard: z.string().optional() });

/** Drains a shard (the newest unless named) through `DELETE /lab/v1/shards/:name` and waits for the job. */
export const removeShard: ActionKind<z.output<typeof spec>> = {
  do: 'remove-shard',
  spec,
  describe: (s) => `Remove ${s.shard ?? 'the newest shard'}, draining its rows — DELETE /lab/v1/shards/${s.shard ?? ':name'}`,
  run: async (s, ctx) => ({ detail: await callAndWait(ctx, 'DELETE', removeShardPath(s.shard ?? newestShard(ctx.lab.ring.router.names))) }),
};
