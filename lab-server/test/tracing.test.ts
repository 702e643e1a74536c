import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TraceView } from '../src/tracing/store.js';
import { runCommand } from './support/command.js';
import { startTestLab, testRing, type ErrorReply, type TestLab } from './support/lab.js';

/** The request tracer against a real lab: every span comes from the request it names, measured as it ran. */
type Trace = TraceView;
interface Traced {
  response: { status: number; shard: string | null; body: { id?: string } };
  trace: Trace;
}

let t: TestLab;
beforeAll(async () => {
  t = await startTestLab(2);
});
afterAll(async () => t?.stop());

const traced = async (method: string, path: string, body?: unknown) => {
  const r = await t.call<Traced>('POST', '/lab/v1/traces', { method, path, ...(body ? { body } : {}) });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
};
const named = (tr: Trace, name: string) => tr.spans.filter((s) => s.name === name);
const one = (tr: Trace, name: string) => {
  const found = named(tr, name);
  expect(found, `${name} in ${tr.spans.map((s) => s.name).join(', ')}`).toHaveLength(1);
  return found[0]!;
};

/** Every span but the root has its parent in the trace and lies inside it on the time line. */
function expectNested(tr: Trace): void {
  const byId = new Map(tr.spans.map((s) => [s.span_id, s]));
  expect(tr.spans[0]!.parent_id).toBeNull();
  for (const s of tr.spans.slice(1)) {
    const parent = byId.get(s.parent_id!);
    expect(parent, s.name).toBeDefined();
    expect(s.start_ms).toBeGreaterThanOrEqual(parent!.start_ms);
    // Rounded to the microsecond: a child may end within a microsecond of its parent.
    expect(s.start_ms + s.duration_ms, `${s.name} ends within ${parent!.name}`).toBeLessThanOrEqual(parent!.start_ms + parent!.duration_ms + 0.002);
  }
}

describe('tracing a request', () => {
  it('a user creation: parse, validate, id minted, ring lookup, the shard primary, pool wait, the INSERT, the response', async () => {
    const { response, trace } = await traced('POST', '/api/v1/users', { first_name: 'Ada', last_name: 'Lovelace' });
    expect(response.status).toBe(201);
    expect(trace).toMatchObject({ name: 'POST /api/v1/users', status_code: 201 });
    expectNested(trace);
    const id = response.body.id!;
    expect(one(trace, 'mint id (UUIDv7)').attributes['lab.id']).toBe(id);
    const route = testRing(2).route(id);
    expect(one(trace, 'ring lookup').attributes).toMatchObject({
      'lab.key': id,
      'lab.ring.hash': `0x${route.hash.toString(16).padStart(8, '0')}`,
      'lab.ring.vnode': route.vnode!,
      'lab.shard': route.shard_name,
    });
    expect(response.shard).toBe(route.shard_name);
    const primary = one(trace, `${route.shard_name} primary`);
    expect(primary.attributes).toMatchObject({ 'lab.role': 'primary', 'server.port': Number(new URL(t.shardUrls[route.shard_id]!).port) });
    const insert = trace.spans.find((s) => s.name === 'query' && String(s.attributes['db.query.text']).startsWith('INSERT INTO users'))!;
    expect(insert.attributes['db.response.returned_rows']).toBe(1);
    expect(trace.spans.find((s) => s.span_id === insert.parent_id)?.name).toBe(`${route.shard_name} primary`);
    for (const name of ['parse JSON body', 'validate (zod)', 'handler POST /users', 'pool wait', 'response'])
      expect(named(trace, name).length, name).toBeGreaterThan(0);
    // The reply's JSON text is built in a span of its own, before the response is written.
    const serialise = one(trace, 'serialise JSON');
    expect(serialise.attributes['http.response.body.size']).toBe(Buffer.byteLength(JSON.stringify(response.body)));
    expect(serialise.start_ms + serialise.duration_ms).toBeLessThanOrEqual(one(trace, 'response').start_ms + 0.002);
    // The spans are the request's own, measured as it ran: the query took part of the request's time.
    expect(insert.duration_ms).toBeGreaterThan(0);
    expect(insert.duration_ms).toBeLessThan(trace.duration_ms);
    // Its plan, EXPLAINed with the same parameters on the same server — which did not insert a second row.
    expect(insert.attributes['db.query.parameters']).toContain('Lovelace');
    expect(insert.attributes['db.query.plan']).toMatch(/^Insert on users/);
    expect((await t.call('GET', `/api/v1/users/${id}`)).status).toBe(200);
    const kept = await t.call<Trace>('GET', `/lab/v1/traces/${trace.trace_id}`);
    expect(kept.body.spans.find((s) => s.span_id === insert.span_id)!.attributes['db.query.plan']).toBe(insert.attributes['db.query.plan']);
  });

  it('a read by id (the lean GET path) goes to the shard the ring names', async () => {
    const { response } = await traced('POST', '/api/v1/users', { first_name: 'Grace', last_name: 'Hopper' });
    const { trace } = await traced('GET', `/api/v1/users/${response.body.id!.toUpperCase()}`);
    expect(trace.status_code).toBe(200);
    expectNested(trace);
    expect(one(trace, 'ring lookup').attributes['lab.key']).toBe(response.body.id);
    expect(one(trace, `${response.shard} primary`)).toBeDefined();
    // The lean read path builds its JSON in a span too.
    expect(one(trace, 'serialise JSON').attributes['http.response.body.size']).toBeGreaterThan(0);
    expect(trace.spans.some((s) => s.name === 'query' && String(s.attributes['db.query.text']).includes('WHERE id = $1'))).toBe(true);
  });

  it('a listing asks every shard in parallel, one query each', async () => {
    const { trace } = await traced('GET', '/api/v1/users?limit=5');
    expectNested(trace);
    const queries = named(trace, 'query');
    expect(queries).toHaveLength(2);
    expect(new Set(queries.map((q) => trace.spans.find((s) => s.span_id === q.parent_id)!.name))).toEqual(new Set(['shard-0 primary', 'shard-1 primary']));
  });

  it("a deletion's transaction counts as queries, each inside the request, not as the server's own work", async () => {
    const { response } = await traced('POST', '/api/v1/users', { first_name: 'Edsger', last_name: 'Dijkstra' });
    const { trace } = await traced('DELETE', `/api/v1/users/${response.body.id}`);
    expect(trace.status_code).toBe(204);
    expectNested(trace);
    const texts = named(trace, 'query').map((q) => String(q.attributes['db.query.text']));
    expect(texts).toContain('BEGIN');
    expect(texts.some((q) => q.startsWith('DELETE FROM "public"."users"'))).toBe(true);
    expect(texts).toContain('COMMIT');
    const breakdown = await t.call<{ endpoints: { endpoint: string; parts: { query: { p50: number } } }[] }>('GET', '/lab/v1/tuning/breakdown');
    expect(breakdown.body.endpoints.find((e) => e.endpoint === 'DELETE /api/v1/users/:id')!.parts.query.p50).toBeGreaterThan(0);
  });

  it('bad input stops at validation: the validate span fails and no shard is asked', async () => {
    const { response, trace } = await traced('POST', '/api/v1/users', { first_name: 42 });
    expect(response.status).toBe(400);
    expect(one(trace, 'validate (zod)').status).toBe('error');
    expect(trace.spans.filter((s) => s.name === 'query' || s.name.endsWith('primary'))).toEqual([]);
  });
});

describe('the traces the lab keeps', () => {
  it('traces a request that sends a sampled traceparent itself, and no other', async () => {
    const id = 'ab'.repeat(16);
    const before = (await t.call<{ traces: Trace[] }>('GET', '/lab/v1/traces')).body.traces.length;
    await t.call('GET', '/api/v1/users?limit=1', undefined, { traceparent: `00-${'cd'.repeat(16)}-${'01'.repeat(8)}-00` });
    await t.call('GET', '/api/v1/users?limit=1');
    expect((await t.call<{ traces: Trace[] }>('GET', '/lab/v1/traces')).body.traces.length).toBe(before);
    await t.call('GET', '/api/v1/users?limit=1', undefined, { traceparent: `00-${id}-${'01'.repeat(8)}-01` });
    let got = await t.call<Trace>('GET', `/lab/v1/traces/${id}`);
    for (let i = 0; i < 50 && got.status === 404; i++) got = await t.call<Trace>('GET', `/lab/v1/traces/${id}`);
    expect(got.body).toMatchObject({ trace_id: id, name: 'GET /api/v1/users', status_code: 200 });
    expect((await t.call<{ traces: Trace[] }>('GET', '/lab/v1/traces')).body.traces[0]!.trace_id).toBe(id);
  });

  it('refuses what is not a messenger request, and a malformed trace id', async () => {
    for (const body of [
      { method: 'GET', path: '/lab/v1/shards' },
      { method: 'GET', path: '/api/v1/../../lab/v1/shards' },
      { method: 'PATCH', path: '/api/v1/users' },
      { method: 'GET', path: '/api/v1/users', extra: 1 },
    ]) {
      const r = await t.call<ErrorReply>('POST', '/lab/v1/traces', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.code).toBe('validation_failed');
    }
    expect((await t.call<ErrorReply>('GET', '/lab/v1/traces/nope')).status).toBe(400);
    expect((await t.call<ErrorReply>('GET', `/lab/v1/traces/${'0'.repeat(32)}`)).status).toBe(404);
  });

  it('the trace command draws a trace as a waterfall, lists them, and DELETE forgets them all', async () => {
    const sent = await command('trace POST /api/v1/users {"first_name": "Alan", "last_name": "Turing"}');
    expect(sent).toMatch(/^POST \/api\/v1\/users → 201 in [\d.]+ ms/m);
    expect(sent).toMatch(/^ {2,}ring lookup +[\d.]+ ms +\|.*█.*\| [0-9a-f-]{36} → hash 0x[0-9a-f]{8} → shard-\d-vn\d+ → shard-\d$/m);
    expect(sent).toMatch(/^ {4,}query .*INSERT INTO users .* → 1 rows$/m);
    expect(await command('trace')).toMatch(/\| POST \/api\/v1\/users +\| 201/);
    await expect(command('trace FETCH /api/v1/users')).rejects.toThrow(/usage: trace METHOD PATH/);
    await expect(command('trace POST /api/v1/users {nope')).rejects.toThrow(/the body must be JSON/);
    const cleared = await t.call<{ cleared: number }>('DELETE', '/lab/v1/traces');
    expect(cleared.body.cleared).toBeGreaterThan(0);
    expect(await command('trace')).toMatch(/^No traced requests yet/);
  });
});

describe('sampling live traffic', () => {
  const sampled = async () => (await t.call<{ traces: (Trace & { source: string })[] }>('GET', '/lab/v1/traces?source=sampled')).body.traces;
  /** Polls until `n` sampled traces are kept: a trace is kept when its response's socket closes, just after the reply. */
  const waitForSampled = async (n: number) => {
    let got = await sampled();
    for (let i = 0; i < 100 && got.length < n; i++) got = await sampled();
    return got;
  };

  it('traces a share of the requests that did not ask, keeps them apart, and stops at 0', async () => {
    await t.call('DELETE', '/lab/v1/traces');
    expect((await t.call('PUT', '/lab/v1/traces/sampling', { percent: 100 })).body).toMatchObject({ percent: 100, sampled: 0 });
    for (let i = 0; i < 3; i++) expect((await t.call('GET', '/api/v1/users?limit=1')).status).toBe(200);
    // The lab's own control API is not messenger traffic: never sampled.
    await t.call('GET', '/lab/v1/shards');
    const got = await waitForSampled(3);
    expect(got.map((x) => [x.source, x.name, x.status_code])).toEqual(Array(3).fill(['sampled', 'GET /api/v1/users', 200]));
    expect(named(got[0]!, 'query')).toHaveLength(2);
    const asked = await traced('GET', '/api/v1/users?limit=1');
    expect(asked.trace).toMatchObject({ source: 'asked' });
    expect((await sampled()).map((x) => x.trace_id)).not.toContain(asked.trace.trace_id);
    expect((await t.call('GET', '/lab/v1/traces')).body).toMatchObject({ sample_percent: 100 });

    expect((await t.call('PUT', '/lab/v1/traces/sampling', { percent: 0 })).body).toMatchObject({ percent: 0, sampled: 3 });
    await t.call('GET', '/api/v1/users?limit=1');
    // A request traced after it (asked) is kept only once the untraced one before it has closed.
    await traced('GET', '/api/v1/users?limit=1');
    expect(await sampled()).toHaveLength(3);
  });

  it('refuses a share outside 0–100 and changes nothing; the command sets it and lists the samples', async () => {
    for (const body of [{ percent: 101 }, { percent: -1 }, { percent: 'ten' }, {}, { percent: 5, extra: 1 }]) {
      const r = await t.call<ErrorReply>('PUT', '/lab/v1/traces/sampling', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
    }
    expect((await t.call('GET', '/lab/v1/traces/sampling')).body).toMatchObject({ percent: 0 });
    expect((await t.call<ErrorReply>('GET', '/lab/v1/traces?source=everything')).status).toBe(400);
    expect(await command('trace sample 100')).toMatch(/^100 % of live \/api\/… requests are traced\./);
    await t.call('GET', '/api/v1/users?limit=2');
    await waitForSampled(4);
    expect(await command('trace live')).toMatch(/\| sampled +\| [\d:.]+ +\| GET \/api\/v1\/users +\| 200/);
    expect(await command('trace sample off')).toMatch(/^Live traffic is not sampled\./);
    await expect(command('trace sample 150')).rejects.toThrow(/usage: trace sample/);
  });
});

/** A command as the terminal runs it, against the test lab. */
const command = (line: string) => runCommand(t.url, line);

describe('the scenarios', () => {
  it("runs the original's first three scenarios traced: the read finds the new user on the shard it was written to, the listing asks every shard", async () => {
    const r = await t.call<{ scenarios: (Traced & { scenario: string })[] }>('POST', '/lab/v1/traces/scenarios');
    expect(r.status).toBe(200);
    const [register, read, list] = r.body.scenarios;
    expect([register!.scenario, read!.scenario, list!.scenario]).toEqual(['register', 'get-by-id', 'list-all']);
    expect([register!.response.status, read!.response.status, list!.response.status]).toEqual([201, 200, 200]);
    expect(read!.response.shard).toBe(register!.response.shard);
    expect(read!.trace.name).toBe(`GET /api/v1/users/${register!.response.body.id}`);
    expect(named(list!.trace, 'query')).toHaveLength(2);
    const text = await command('trace scenarios');
    expect(text).toMatch(/^get-by-id +\| GET \/api\/v1\/users\/[0-9a-f-]{36} +\| 200 +\| shard-\d +\| [\d.]+ ms +\| \S/m);
    expect(text).toMatch(/^list-all +\| GET \/api\/v1\/users +\| 200 +\| every shard/m);
  });
});

describe('an id taken apart', () => {
  it('GET /lab/v1/ids/:id reads a live UUIDv7: the time it was minted, by the service that created the user', async () => {
    const before = Date.now();
    const { response, trace } = await traced('POST', '/api/v1/users', { first_name: 'Edsger', last_name: 'Dijkstra' });
    const id = response.body.id!;
    const r = await t.call<{ version: number; unix_ms: number; variant_bits: string }>('GET', `/lab/v1/ids/${id.toUpperCase()}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ version: 7, variant_bits: '10', unix_ms: one(trace, 'mint id (UUIDv7)').attributes['lab.id.unix_ms'] });
    expect(r.body.unix_ms).toBeGreaterThanOrEqual(before);
    const bad = await t.call<ErrorReply>('GET', '/lab/v1/ids/user-42');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'invalid_id', message: "'user-42' is not a UUID (8-4-4-4-12 hex digits)." });
    expect(await command(`id ${id}`)).toMatch(/^unix_ts_ms +\| [0-9a-f]{12} +\| 48$/m);
  });
});
