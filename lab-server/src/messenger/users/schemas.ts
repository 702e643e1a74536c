import { z } from 'zod';
import { emailField, limitQuery, requiredString, strictBody, timestamp, uuid } from '../schema-parts.js';

const MAX_NAME = 100;

const name = (field: string) =>
  requiredString(field).trim().min(1, `${field} must not be empty`).max(MAX_NAME, `${field} must be at most ${MAX_NAME} characters`);

/** Unknown keys are rejected: the original silently ignored `name`/`firstName` and stored empty names. */
export const CreateUserSchema = strictBody({ first_name: name('first_name'), last_name: name('last_name'), email: emailField.optional() });
export type CreateUser = z.infer<typeof CreateUserSchema>;

/** Partial update: omitted fields keep their value (the original blanked them); `email: null` clears the e-mail. */
export const UpdateUserSchema = strictBody({
  first_name: name('first_name').optional(),
  last_name: name('last_name').optional(),
  email: emailField.nullable().optional(),
}).refine((u) => u.first_name !== undefined || u.last_name !== undefined || u.email !== undefined, {
  message: 'give at least one of first_name, last_name, email',
});
export type UpdateUser = z.infer<typeof UpdateUserSchema>;

export const ListUsersQuerySchema = z.object({
  limit: limitQuery,
  cursor: z.string().min(1, 'cursor must not be empty').optional(),
  partial: z
    .enum(['true', 'false'], { error: 'partial must be true or false' })
    .default('false')
    .transform((v) => v === 'true'),
});
export type ListUsersQuery = z.infer<typeof ListUsersQuerySchema>;

export const UserSchema = z
  .object({ id: uuid, first_name: z.string(), last_name: z.string(), email: z.string().nullable(), created_at: timestamp, updated_at: timestamp })
  .meta({ id: 'User' });
export type User = z.infer<typeof UserSchema>;

export const UserPageSchema = z
  .object({
    data: z.array(UserSchema),
    next_cursor: z.string().nullable().describe('pass back as ?cursor= for the next page; null on the last page'),
    missing_shards: z.array(z.string()).optional().describe('with partial=true: shards that did not answer'),
  })
  .meta({ id: 'UserPage' });

export const ShardStatsSchema = z
  .object({
    total_users: z.number().int(),
    shard_count: z.number().int(),
    shards: z.array(z.object({ shard_id: z.number().int(), shard_name: z.string(), user_count: z.number().int().nullable(), healthy: z.boolean() })),
  })
  .meta({ id: 'ShardStats' });

export const ShardHealthSchema = z
  .object({
    healthy: z.boolean().describe('every primary answers and every replica streams'),
    shards: z.array(
      z.object({
        shard_name: z.string(),
        healthy: z.boolean(),
        latency_ms: z.number().nullable().describe('a round trip to the primary, measured now'),
        users: z.number().int().nullable(),
        error: z.string().nullable(),
        replicas: z.array(
          z.object({
            name: z.string(),
            state: z.string().nullable().describe("pg_stat_replication's state on the primary: streaming, catchup, … or null when not connected"),
            lag_bytes: z.number().nullable(),
            lag_seconds: z.number().nullable(),
            users: z.number().int().nullable().describe("the replica's count, taken once it replayed up to the primary's position at the primary's count"),
            caught_up: z.boolean(),
            matches_primary: z.boolean(),
          }),
        ),
      }),
    ),
  })
  .meta({ id: 'ShardHealth' });
