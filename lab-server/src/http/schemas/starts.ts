import { z } from 'zod';
import { StartSpecSchema } from '../../starts/starts.js';

export const StartSpecViewSchema = z
  .object({ users: z.number(), conversations: z.number(), messages: z.number() })
  .describe('the data a chapter starts from, on the configured shards with every migration applied')
  .meta({ id: 'StartSpec' });

export const StartsSchema = z
  .object({
    external: z.boolean().describe('shards the lab did not start (LAB_SHARDS): starts are rebuilt row by row, never snapshotted'),
    snapshots: z.array(
      z.object({
        name: z.string().describe('the database holding it on every shard'),
        bytes: z.number().describe('its size on the first shard (pg_database_size)'),
        key: z.object({ spec: StartSpecViewSchema, shards: z.array(z.string()), head: z.string().describe('the newest migration') }).nullable(),
      }),
    ),
  })
  .meta({ id: 'Starts' });

export const StartStateSchema = z
  .object({
    chapter: z.string(),
    start: StartSpecViewSchema,
    at_start: z.boolean(),
    differences: z.array(z.string()).describe('how the cluster differs from the start, in words: what a reset would change'),
    counts: z.object({ users: z.number(), conversations: z.number(), messages: z.number() }),
    ring: z.array(z.string()),
    configured_shards: z.number(),
    pending_migrations: z.number(),
    reset_steps: z.array(z.string()).describe("the chapter's own reset steps, then the start's restore"),
  })
  .meta({ id: 'StartState' });

export const StartsDroppedSchema = z.object({ dropped: z.array(z.string()) }).meta({ id: 'StartsDropped' });

export const StartBody = StartSpecSchema;
