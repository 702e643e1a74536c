import { Router as ExpressRouter } from 'express';
import type { Registry } from 'prom-client';
import { chapterRoutes } from '../chapters/routes.js';
import { sqlRoutes } from '../console/routes.js';
import { ApiRouter } from '../http/api-router.js';
import { openApiDocument, type ApiMount } from '../http/openapi.js';
import { loadtestRoutes } from '../loadtest/routes.js';
import { messengerApi } from '../messenger/routes.js';
import { metricsRoutes, prometheusRoutes } from '../metrics/routes.js';
import { placementRoutes } from '../placement/routes.js';
import { shardRoutes } from '../resharding/routes.js';
import { ringRoutes } from '../ring/routes.js';
import { tuningRoutes } from '../tuning/routes.js';
import { healthRoutes } from './health-routes.js';
import type { Lab } from './lab.js';
import { labRoutes } from './routes.js';

/** The control API (`/lab/v1`) and the operations routes (`/health`, `/metrics`), every route declared with its schemas. */
export function labApis(lab: Lab, registry: Registry): ApiMount[] {
  const root = new ApiRouter();
  healthRoutes(root, lab.cluster);
  prometheusRoutes(root, lab.metrics, registry);
  const control = new ApiRouter();
  labRoutes(control, lab);
  shardRoutes(control, lab);
  ringRoutes(control, lab);
  placementRoutes(control, lab);
  loadtestRoutes(control, lab.loadtests);
  metricsRoutes(control, lab.metrics);
  chapterRoutes(control, lab, lab.config.chaptersDir);
  sqlRoutes(control, lab);
  tuningRoutes(control, lab);
  return [
    { prefix: '', api: root },
    { prefix: '/lab/v1', api: control },
  ];
}

/**
 * Stands in for the lab while routes are only declared, so the document needs no running lab (the server and
 * `scripts/openapi.ts` build it the same way): declaring may read through it, calling anything fails loudly.
 */
function declarationsOnly<T>(): T {
  const stub: object = new Proxy(() => undefined, {
    get: () => stub,
    apply: () => {
      throw new Error('These routes were declared only to describe them; no lab runs behind them.');
    },
  });
  return stub as T;
}

let document: ReturnType<typeof openApiDocument> | undefined;

/** The OpenAPI 3.1 document of every declared route: `/api/v1`, `/lab/v1`, `/health`, `/metrics`. */
export function apiDocument(): ReturnType<typeof openApiDocument> {
  document ??= openApiDocument([{ prefix: '/api/v1', api: messengerApi(declarationsOnly()) }, ...labApis(declarationsOnly(), declarationsOnly())], {
    title: 'Shard Lab API',
    version: '1',
    description:
      'The messenger API (/api/v1): a sharded messenger over several PostgreSQL servers; and the lab control API (/lab/v1): topology, routing, migrations, resharding, faults, load tests, metrics, chapters. Errors: {"error": {"code", "message", "details"}}. Reference: docs/api.md.',
  });
  return document;
}

/** `GET /api/openapi.json`. */
export function openApiRoutes(): ExpressRouter {
  const r = ExpressRouter();
  r.get('/openapi.json', (_req, res) => {
    res.json(apiDocument());
  });
  return r;
}
