import { Router as ExpressRouter } from 'express';
import type { Registry } from 'prom-client';
import type { Lab } from '../lab/lab.js';
import { ApiRouter } from './api-router.js';
import { openApiDocument, type ApiMount } from './openapi.js';
import { chapterRoutes } from './routes/chapters.js';
import { healthRoutes } from './routes/health.js';
import { idRoutes } from './routes/ids.js';
import { labRoutes } from './routes/lab.js';
import { loadtestRoutes } from './routes/loadtests.js';
import { messengerApi } from './routes/messenger.js';
import { metricsRoutes, prometheusRoutes } from './routes/metrics.js';
import { partitionRoutes } from './routes/partitions.js';
import { migrationDrillRoutes } from './routes/migration-drill.js';
import { placementRoutes } from './routes/placement.js';
import { referenceRoutes } from './routes/references.js';
import { poolingRoutes } from './routes/pooling.js';
import { cacheRoutes } from './routes/cache.js';
import { ladderRoutes } from './routes/ladder.js';
import { readRoutes } from './routes/reads.js';
import { ringRoutes } from './routes/ring.js';
import { shardRoutes } from './routes/shards.js';
import { sqlRoutes } from './routes/sql.js';
import { startRoutes } from './routes/starts.js';
import { traceRoutes } from './routes/traces.js';
import { keyFateRoutes } from './routes/key-fate.js';
import { idLocalityRoutes } from './routes/id-locality.js';
import { pagingRoutes } from './routes/paging.js';
import { shardAdviceRoutes } from './routes/shard-advice.js';
import { tuningRoutes } from './routes/tuning.js';
import { tuningRunsRoutes } from './routes/tuning-runs.js';
import { consoleRoutes } from './routes/console.js';
import { tuningMemoryRoutes } from './routes/tuning-memory.js';

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
  readRoutes(control, lab);
  poolingRoutes(control, lab);
  loadtestRoutes(control, lab.loadtests);
  metricsRoutes(control, lab.metrics);
  chapterRoutes(control, lab, lab.config.chaptersDir);
  sqlRoutes(control, lab);
  tuningRoutes(control, lab);
  tuningRunsRoutes(control, lab);
  partitionRoutes(control, lab);
  migrationDrillRoutes(control, lab);
  traceRoutes(control, lab);
  keyFateRoutes(control, lab);
  idLocalityRoutes(control, lab);
  pagingRoutes(control, lab);
  shardAdviceRoutes(control, lab);
  idRoutes(control);
  referenceRoutes(control, lab);
  startRoutes(control, lab);
  cacheRoutes(control, lab);
  ladderRoutes(control, lab);
  consoleRoutes(control);
  tuningMemoryRoutes(control, lab);
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
