import { Router as ExpressRouter } from 'express';
import { ApiRouter } from '../http/api-router.js';
import { openApiDocument } from '../http/openapi.js';
import { accountsRoutes } from './accounts/routes.js';
import { conversationsRoutes } from './conversations/routes.js';
import type { Messenger } from './messenger.js';
import { usersRoutes } from './users/routes.js';

/** The messenger API (`/api/v1`), every route declared with its schemas. */
export function messengerApi(m: Messenger): ApiRouter {
  const api = new ApiRouter();
  usersRoutes(api, m.users);
  conversationsRoutes(api, m.conversations);
  accountsRoutes(api, m.accounts);
  return api;
}

/** `GET /api/openapi.json`: generated once from the same declarations that validate requests. */
export function openApiRoutes(api: ApiRouter): ExpressRouter {
  const document = openApiDocument([{ prefix: '/api/v1', api }], {
    title: 'Shard Lab messenger API',
    version: '1',
    description: 'A sharded messenger over several PostgreSQL servers. Errors: {"error": {"code", "message", "details"}}. Reference: docs/api.md.',
  });
  const r = ExpressRouter();
  r.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  return r;
}
