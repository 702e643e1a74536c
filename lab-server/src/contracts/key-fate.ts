import { z } from 'zod';

/** A write that waited at the write gate (a reshard's cutover or verify pause, a promotion). */
export const WritePauseSchema = z.object({
  request: z.string().nullable().describe('the API request that waited, e.g. POST /api/v1/users (null: not an HTTP request)'),
  keys: z.array(z.string()).describe('the sharding keys the write held'),
  paused_at: z.string(),
  waited_ms: z.number(),
  shards_before: z.array(z.string()).describe("the keys' shards by the ring in force when the write stopped"),
  shards_after: z.array(z.string()).describe('and when it went on (a cutover switches the ring inside the pause)'),
  process: z.string().describe('the API process that served it: main, or worker <pid> under prefork (LAB_WORKERS)'),
});

export const WritePauses = z
  .object({
    pauses: z.array(WritePauseSchema).describe('newest first'),
    kept: z.number().describe('how many the lab keeps'),
  })
  .meta({ id: 'WritePauses' });

export const KeyFate = z
  .object({
    key: z.string().describe('the id, lower-cased'),
    hash: z.string().describe('MD5 of the id, first 4 bytes: its place on the ring (the same under every version)'),
    steps: z
      .array(
        z.object({
          version: z.number(),
          reason: z.string().describe('why the ring changed: initial ring, add shard-5 (rebalanced), promote …'),
          created_at: z.string(),
          strategy: z.enum(['md5-ring', 'modulo']),
          vnodes: z.number().nullable(),
          shard_count: z.number(),
          point: z.number().nullable().describe('the first ring point clockwise from the hash (md5-ring)'),
          vnode: z.string().nullable(),
          shard: z.string(),
          port: z.number().nullable().describe("that shard's primary under this version"),
          moved: z.boolean().describe('the shard differs from the version before'),
          server_changed: z.boolean().describe('same shard, another primary server (a promotion)'),
        }),
      )
      .describe('every ring version, oldest first'),
    moves: z.number(),
    now: z.object({ shard: z.string(), port: z.number().nullable(), replica_port: z.number().nullable() }),
    rows: z
      .array(z.object({ shard: z.string(), found: z.boolean().nullable().describe('null: the shard is down') }))
      .describe('where a users row with this id is now'),
    verdict: z
      .enum(['routed', 'misplaced', 'absent'])
      .describe('routed: the row is where the ring sends reads; misplaced: elsewhere (reads miss); absent: on no shard'),
    paused: z.array(WritePauseSchema).describe('requests for this key that waited at the write gate while it moved, oldest first'),
  })
  .meta({ id: 'KeyFate' });
export type KeyFate = z.output<typeof KeyFate>;
