import { Router as ExpressRouter } from 'express';
import { jsonBody, parse } from '../../http/validation.js';
import { CreateUserSchema, ListUsersQuerySchema, UpdateUserSchema } from './schemas.js';
import type { UsersService } from './service.js';

/** `X-Lab-Shard` tells the learner which shard served the request, without changing the JSON. */
const SHARD_HEADER = 'X-Lab-Shard';

export function usersRoutes(users: UsersService): ExpressRouter {
  const r = ExpressRouter();

  r.post('/users', async (req, res) => {
    const input = parse(CreateUserSchema, jsonBody(req), 'user');
    const { value, shard } = await users.create(input);
    res.status(201).set(SHARD_HEADER, shard).location(`/api/v1/users/${value.id}`).json(value);
  });

  r.get('/users', async (req, res) => {
    res.json(await users.list(parse(ListUsersQuerySchema, req.query, 'query')));
  });

  r.get('/users/:id', async (req, res) => {
    const { value, shard } = await users.get(req.params.id);
    res.set(SHARD_HEADER, shard).json(value);
  });

  r.put('/users/:id', async (req, res) => {
    const patch = parse(UpdateUserSchema, jsonBody(req), 'user update');
    const { value, shard } = await users.update(req.params.id, patch);
    res.set(SHARD_HEADER, shard).json(value);
  });

  r.delete('/users/:id', async (req, res) => {
    await users.remove(req.params.id);
    res.status(204).end();
  });

  r.get('/shards/stats', async (_req, res) => {
    res.json(await users.stats());
  });

  return r;
}
