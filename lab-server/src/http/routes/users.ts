import type { ApiRouter } from '../api-router.js';
import {
  CreateUserSchema,
  ListUsersQuerySchema,
  ShardHealthSchema,
  ShardStatsSchema,
  UpdateUserSchema,
  UserPageSchema,
  UserSchema,
} from '../../messenger/users/schemas.js';
import type { UsersService } from '../../messenger/users/service.js';

/** `X-Lab-Shard` tells the learner which shard served the request, without changing the JSON. */
export const SHARD_HEADER = 'X-Lab-Shard';

const notFound = { description: 'no such user' };

export function usersRoutes(api: ApiRouter, users: UsersService): void {
  const tag = 'users';
  api.add(
    {
      method: 'post',
      path: '/users',
      tag,
      summary: 'Create a user on the shard its new UUIDv7 id routes to',
      body: CreateUserSchema,
      bodyName: 'user',
      responses: { 201: { description: 'created; Location and X-Lab-Shard headers', schema: UserSchema } },
    },
    async ({ res, body }) => {
      const { value, shard } = await users.create(body);
      res.status(201).set(SHARD_HEADER, shard).location(`/api/v1/users/${value.id}`).json(value);
    },
  );

  api.add(
    {
      method: 'get',
      path: '/users',
      tag,
      summary: 'All users, newest first, merged across shards (keyset pages)',
      query: ListUsersQuerySchema,
      responses: { 200: { description: 'one page', schema: UserPageSchema } },
    },
    async ({ res, query }) => {
      res.json(await users.list(query));
    },
  );

  api.add(
    {
      method: 'get',
      path: '/users/:id',
      tag,
      summary: 'One user, from its shard (any letter case of the id)',
      responses: { 200: { description: 'the user', schema: UserSchema }, 404: notFound },
    },
    async ({ params, res }) => {
      const { value, shard } = await users.get(params.id!);
      res.set(SHARD_HEADER, shard).json(value);
    },
  );

  api.add(
    {
      method: 'put',
      path: '/users/:id',
      tag,
      summary: 'Change some fields of a user (omitted fields keep their value)',
      body: UpdateUserSchema,
      bodyName: 'user update',
      responses: { 200: { description: 'the updated user', schema: UserSchema }, 404: notFound },
    },
    async ({ params, res, body }) => {
      const { value, shard } = await users.update(params.id!, body);
      res.set(SHARD_HEADER, shard).json(value);
    },
  );

  api.add(
    {
      method: 'delete',
      path: '/users/:id',
      tag,
      summary: 'Delete a user',
      description:
        'Removes the user and their co-located rows (accounts, inbox) at once. Their memberships, the sender of their messages and their username/e-mail claims live on other shards: a user.deleted outbox event cleans those up in the background (GET /lab/v1/outbox shows the backlog).',
      responses: { 204: { description: 'deleted' }, 404: notFound },
    },
    async ({ params, res }) => {
      await users.remove(params.id!);
      res.status(204).end();
    },
  );

  api.add(
    {
      method: 'get',
      path: '/shards/stats',
      tag: 'shards',
      summary: 'Users per shard',
      responses: { 200: { description: 'counts in shard order', schema: ShardStatsSchema } },
    },
    async ({ res }) => {
      res.json(await users.stats());
    },
  );

  api.add(
    {
      method: 'get',
      path: '/shards/health',
      tag: 'shards',
      summary: "Every shard checked now: its primary answers, its users, and its replica's state, lag and users (equal once it has replayed)",
      description:
        "The route the original's SHARDING_GUIDE calls but its code never had; it does what the guide's shell loops do by hand (pg_stat_replication on each primary, COUNT(*) on primary and replica).",
      responses: {
        200: { description: 'every primary answers and every replica streams', schema: ShardHealthSchema },
        503: { description: 'a primary does not answer or a replica does not stream', schema: ShardHealthSchema },
      },
    },
    async ({ res }) => {
      const report = await users.health();
      res.status(report.healthy ? 200 : 503).json(report);
    },
  );
}
