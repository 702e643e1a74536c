import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/http/app.js';
import { labApis } from '../src/http/apis.js';
import { labMounts } from '../src/server/start.js';
import { contract } from './support/contract.js';
import { startTestLab, type Reply, type TestLab } from './support/lab.js';

interface Doc {
  openapi: string;
  paths: Record<string, Record<string, { tags: string[]; responses: Record<string, unknown> }>>;
}
interface JobReply {
  id: string;
  state: string;
}

let t: TestLab;
let doc: Doc;
let check: ReturnType<typeof contract>;

beforeAll(async () => {
  t = await startTestLab(2);
  doc = (await t.call<Doc>('GET', '/api/openapi.json')).body;
  check = contract(labApis(t.running.lab, new Registry()), doc);
});
afterAll(async () => t?.stop());

/** Every control-API call here is checked against the OpenAPI document: documented status, body matching its schema. */
async function lab<T>(method: string, path: string, body?: unknown): Promise<Reply<T>> {
  return check(method, path, await t.call<T>(method, path, body));
}

interface Layer {
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
}

/** Every route of an Express app as `METHOD /path`, walking mounted routers. */
function expressRoutes(stack: Layer[], prefix = ''): string[] {
  return stack.flatMap((layer) => {
    if (layer.route && typeof layer.route.path === 'string') {
      const path = `${prefix}${layer.route.path}`.replace(/:(\w+)/g, '{$1}');
      return Object.keys(layer.route.methods).map((m) => `${m.toUpperCase()} ${path}`);
    }
    if (layer.handle.stack && typeof layer.rawPath === 'string')
      return expressRoutes(layer.handle.stack, layer.rawPath === '/' ? prefix : prefix + layer.rawPath);
    return [];
  });
}

describe('the OpenAPI document', () => {
  it('lists every mounted /lab/v1, /health and /metrics route, so none is added without its schemas', () => {
    const app = createApp(labMounts(t.running.lab, new Registry()), () => undefined);
    const mounted = expressRoutes((app as unknown as { router: { stack: Layer[] } }).router.stack).filter((r) => /^\w+ \/(lab\/v1\/|health$|metrics$)/.test(r));
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    expect(mounted.length, 'the walk finds the routes').toBeGreaterThan(30);
    expect(documented).toEqual(expect.arrayContaining(mounted));
    expect(mounted).toEqual(expect.arrayContaining(documented.filter((r) => !r.includes(' /api/'))));
  });

  it("lists the terminal's WebSocket, and tells a plain GET of it to upgrade", async () => {
    expect(Object.keys(doc.paths['/lab/v1/console'] ?? {})).toEqual(['get']);
    const plain = await lab<{ error: { code: string } }>('GET', '/lab/v1/console');
    expect(plain.status).toBe(426);
    expect(plain.body.error.code).toBe('upgrade_required');
  });

  it('tags every operation: the messenger by resource, the control API as lab: …', () => {
    for (const [p, ops] of Object.entries(doc.paths)) {
      for (const op of Object.values(ops)) expect(op.tags[0], p).toMatch(p.startsWith('/lab/v1/') ? /^lab: / : /\w/);
    }
  });
});

describe('the control API answers as documented', () => {
  it('reads the cluster: topology, routing, migrations, outbox, settings, ring, placement, metrics, health', async () => {
    expect((await lab('GET', '/lab/v1/topology')).status).toBe(200);
    expect((await lab('GET', '/lab/v1/route?key=123e4567-e89b-12d3-a456-426614174000')).status).toBe(200);
    expect((await lab('GET', '/lab/v1/route')).status).toBe(400);
    expect((await lab('GET', '/lab/v1/route?key=nope')).status).toBe(400);
    expect((await lab('GET', '/lab/v1/migrations')).status).toBe(200);
    expect((await lab('POST', '/lab/v1/migrations/sideways')).status).toBe(404);
    expect((await lab('GET', '/lab/v1/outbox')).status).toBe(200);
    const settings = await lab<{ data_layer: string }>('GET', '/lab/v1/settings');
    expect((await lab('PUT', '/lab/v1/settings', { data_layer: settings.body.data_layer })).status).toBe(200);
    expect((await lab('PUT', '/lab/v1/settings', { data_layer: 'mongo' })).status).toBe(400);
    expect((await lab('GET', '/lab/v1/ring?shards=4&key=123e4567-e89b-12d3-a456-426614174000')).status).toBe(200);
    expect((await lab('GET', '/lab/v1/ring?vnodes=0')).status).toBe(400);
    expect((await lab('GET', '/lab/v1/ring/versions')).status).toBe(200);
    expect((await lab('GET', '/lab/v1/placement')).status).toBe(200);
    expect((await lab('GET', '/lab/v1/metrics')).status).toBe(200);
    expect((await lab('GET', '/health')).status).toBe(200);
    expect((await lab('POST', '/lab/v1/shards/plan')).status).toBe(200);
    expect((await lab('POST', '/lab/v1/shards/plan', { action: 'remove', shard: 'shard-9' })).status).toBe(404);
    expect((await lab('POST', '/lab/v1/shards/shard-0/kill')).status).toBe(409);
    expect((await lab('POST', '/lab/v1/sql', { shard: 'shard-0', sql: 'SELECT 1 AS one' })).status).toBe(200);
    expect((await lab('POST', '/lab/v1/sql', { shard: 'shard-0', sql: 'SELEKT' })).status).toBe(400);
  });

  it('runs a job: seed, then the job by id, the job list, and a cancel of a finished job', async () => {
    const started = await lab<{ job_id: string }>('POST', '/lab/v1/seed', { users: 20 });
    expect(started.status).toBe(202);
    let job: Reply<JobReply>;
    do job = await lab<JobReply>('GET', `/lab/v1/jobs/${started.body.job_id}`);
    while (job.body.state === 'queued' || job.body.state === 'running');
    expect(job.body.state).toBe('succeeded');
    expect((await lab('GET', '/lab/v1/jobs')).status).toBe(200);
    expect((await lab('POST', `/lab/v1/jobs/${started.body.job_id}/continue`)).status).toBe(409);
    expect((await lab('GET', '/lab/v1/jobs/no-such-job')).status).toBe(404);
    expect((await lab('POST', '/lab/v1/seed', { users: -1 })).status).toBe(400);
  });

  it('validates every query parameter with its schema, numbers too', async () => {
    expect((await lab('GET', '/lab/v1/loadtests/scenarios')).status).toBe(200);
    expect((await lab('GET', '/lab/v1/loadtests')).status).toBe(200);
    expect((await lab('GET', '/lab/v1/loadtests?limit=2')).status).toBe(200);
    for (const limit of ['2.5', '0', '501', 'many']) expect((await lab('GET', `/lab/v1/loadtests?limit=${limit}`)).status, limit).toBe(400);
    expect((await lab('GET', '/lab/v1/loadtests/compare?a=x')).status).toBe(400);
    expect((await lab('GET', '/lab/v1/loadtests/123e4567-e89b-12d3-a456-426614174000')).status).toBe(404);
    expect((await lab('POST', '/lab/v1/loadtests', { scenario: 'nope' })).status).toBe(400);
  });

  it('serves chapters, exercises and progress', async () => {
    const index = await lab<{ chapters: { id: string }[] }>('GET', '/lab/v1/chapters');
    expect(index.status).toBe(200);
    const first = index.body.chapters[0]!.id;
    const chapter = await lab<{ exercises: { id: string }[] }>('GET', `/lab/v1/chapters/${first}`);
    expect(chapter.status).toBe(200);
    expect((await lab('GET', '/lab/v1/chapters/no-such-chapter')).status).toBe(404);
    const exercise = chapter.body.exercises[0];
    if (exercise) expect((await lab('POST', `/lab/v1/chapters/${first}/exercises/${exercise.id}/check`)).status).toBe(200);
    expect((await lab('GET', '/lab/v1/progress')).status).toBe(200);
  });
});
