import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryServer, startTestLab, type TestLab } from './support/lab.js';

/**
 * Property-based: every operation of the published OpenAPI document, thrown input it must refuse — text
 * PostgreSQL cannot store, wrong types, fractional and out-of-range numbers, impossible ids and cursors,
 * bodies of the wrong shape. Whatever comes, the answer is a 4xx in the one error shape, never a 5xx, and
 * nothing in any shard or in the catalog changed.
 */
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: JsonSchema;
}
interface JsonSchema {
  type?: string | string[];
  $ref?: string;
  properties?: Record<string, JsonSchema>;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  format?: string;
}
interface OperationDoc {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, { content?: Record<string, unknown> }>;
}
interface Doc {
  paths: Record<string, Record<string, OperationDoc>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

interface Attempt {
  method: string;
  path: string;
  body?: string;
}

const RUNS_PER_OPERATION = 25;

let t: TestLab;
let doc: Doc;
beforeAll(async () => {
  t = await startTestLab(2);
  // Some data, so that listings, cursors and updates have rows to get wrong.
  for (const name of ['Ada', 'Grace', 'Edsger']) expect((await t.call('POST', '/api/v1/users', { first_name: name, last_name: 'Fuzz' })).status).toBe(201);
  doc = (await t.call<Doc>('GET', '/api/openapi.json')).body;
});
afterAll(async () => {
  await t?.stop();
});

/** Every row of every table on every shard and in the catalog, as one text per table. */
async function everything(): Promise<Record<string, string>> {
  const urls = [...t.shardUrls.map((u, i) => [`shard-${i}`, u] as const), ['catalog', t.running.lab.cluster.catalog.url] as const];
  const out: Record<string, string> = {};
  for (const [name, url] of urls) {
    const tables = await queryServer<{ t: string }>(
      url,
      "SELECT format('%I.%I', table_schema, table_name) AS t FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_type = 'BASE TABLE'",
    );
    for (const { t: table } of tables) {
      const [row] = await queryServer<{ rows: string; digest: string }>(
        url,
        `SELECT count(*)::text AS rows, md5(coalesce(string_agg(x::text, E'\\n' ORDER BY x::text), '')) AS digest FROM ${table} x`,
      );
      out[`${name} ${table}`] = `${row!.rows} ${row!.digest}`;
    }
  }
  return out;
}

const resolve = (s: JsonSchema | undefined): JsonSchema => {
  if (!s?.$ref) return s ?? {};
  return resolve(doc.components?.schemas?.[s.$ref.replace('#/components/schemas/', '')]);
};
const types = (s: JsonSchema): string[] => {
  const r = resolve(s);
  const own = r.type === undefined ? [] : ([] as string[]).concat(r.type);
  return [...own, ...(r.anyOf ?? r.oneOf ?? []).flatMap(types)];
};

/** Text no route may accept: it carries U+0000 or a lone surrogate, or names nothing that can exist. */
const unstorable = fc
  .tuple(fc.string({ maxLength: 12 }), fc.constantFrom('\u0000', '\ud800', '\udc00x'), fc.string({ maxLength: 12 }))
  .map(([a, bad, b]) => a + bad + b);
const impossibleName = fc.string({ minLength: 1, maxLength: 40 }).map((s) => `zz-fuzz-${s}`);
const badNumber = fc.constantFrom('2.5', '-1', '0', '1e309', 'NaN', 'Infinity', '0x10', '', ' ', '99999999999999999999', '1,2', 'ten');
const badCursor = fc.oneof(
  unstorable,
  fc.string({ minLength: 1, maxLength: 60 }),
  fc
    .constantFrom('2024-02-30T00:00:00.000Z', '2024-13-01T00:00:00Z', '0000-01-01T00:00:00Z', 'not a date')
    .map((d) => Buffer.from(JSON.stringify([d, '0190d4e2-8f0a-7000-8000-000000000000'])).toString('base64url')),
  fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v)).toString('base64url')),
);

/** A value of the wrong JSON type for a property of schema `s` (so the property alone makes the body invalid). */
function wrongType(s: JsonSchema): fc.Arbitrary<unknown> {
  const allowed = types(s);
  const r = resolve(s);
  if (r.enum && allowed.length <= 1) return fc.oneof(unstorable, fc.constant({ not: 'in the enum' }));
  const pool: fc.Arbitrary<unknown>[] = [];
  if (!allowed.includes('string')) pool.push(fc.string({ maxLength: 20 }));
  if (!allowed.includes('number') && !allowed.includes('integer')) pool.push(fc.double({ noNaN: true }));
  if (!allowed.includes('object')) pool.push(fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }));
  if (!allowed.includes('array')) pool.push(fc.array(fc.integer(), { maxLength: 3 }));
  if (!allowed.includes('boolean') && allowed.length > 0) pool.push(fc.boolean());
  if (allowed.includes('string')) pool.push(unstorable);
  if (allowed.includes('integer') && !allowed.includes('number')) pool.push(fc.double({ min: 0.1, max: 1e6, noNaN: true, noInteger: true }));
  return pool.length ? fc.oneof(...pool) : unstorable;
}

/** Requests for one operation that it must refuse, each with exactly one thing wrong at least. */
function attempts(path: string, method: string, op: OperationDoc): fc.Arbitrary<Attempt> {
  const params = op.parameters ?? [];
  const pathParams = params.filter((p) => p.in === 'path');
  const queryParams = params.filter((p) => p.in === 'query');
  const bodySchema = op.requestBody?.content['application/json']?.schema;
  const fill = (values: Record<string, string>) => path.replace(/\{(\w+)\}/g, (_m, n: string) => encode(values[n] ?? `zz-fuzz-${n}`));
  const placeholder = (p: Parameter) => (resolve(p.schema).format === 'uuid' ? '0190d4e2-8f0a-7000-8000-0000000000ff' : `zz-fuzz-${p.name}`);
  const base = Object.fromEntries(pathParams.map((p) => [p.name, placeholder(p)]));
  const validBody = bodySchema ? '{}' : undefined;
  const choices: fc.Arbitrary<Attempt>[] = [];

  for (const p of pathParams) {
    choices.push(fc.oneof(unstorable, impossibleName).map((v) => ({ method, path: fill({ ...base, [p.name]: v }), body: validBody })));
  }
  for (const q of queryParams) {
    const numeric = types(q.schema ?? {}).some((x) => x === 'number' || x === 'integer');
    const value = q.name === 'cursor' ? badCursor : numeric ? fc.oneof(badNumber, unstorable) : fc.oneof(unstorable, wrongEnum(q));
    choices.push(value.map((v) => ({ method, path: `${fill(base)}?${q.name}=${encode(v)}`, body: validBody })));
    // The same parameter twice is an array, which no query schema takes.
    choices.push(fc.constant({ method, path: `${fill(base)}?${q.name}=1&${q.name}=2`, body: validBody }));
  }
  if (bodySchema) {
    const props = resolve(bodySchema).properties ?? {};
    choices.push(
      fc
        .oneof(fc.constant('[]'), fc.constant('"text"'), fc.constant('42'), fc.constant('null'), fc.constant('{'), fc.constant('{"a":'))
        .map((body) => ({ method, path: fill(base), body })),
    );
    for (const [name, schema] of Object.entries(props)) {
      choices.push(wrongType(schema).map((v) => ({ method, path: fill(base), body: JSON.stringify({ [name]: v }) })));
    }
    choices.push(fc.string({ minLength: 1, maxLength: 10 }).map((k) => ({ method, path: fill(base), body: JSON.stringify({ [`zz_unknown_${k}`]: 1 }) })));
  }
  return choices.length ? fc.oneof(...choices) : fc.constant({ method, path: `${fill(base)}`, body: validBody });
}

/** A URL cannot carry a lone surrogate as UTF-8: it goes as the bytes of one (ED A0 80), which no decoder accepts. */
function encode(value: string): string {
  return value
    .split(/([\uD800-\uDFFF])/)
    .map((part) => (/^[\uD800-\uDFFF]$/.test(part) ? '%ED%A0%80' : encodeURIComponent(part)))
    .join('');
}

function wrongEnum(q: Parameter): fc.Arbitrary<string> {
  return resolve(q.schema).enum ? impossibleName : unstorable;
}

/** Streams answer forever; operations that take no input have nothing to get wrong. */
function fuzzable(op: OperationDoc): boolean {
  const streams = Object.values(op.responses).some((r) => Object.keys(r.content ?? {}).some((type) => type !== 'application/json'));
  return !streams && ((op.parameters?.length ?? 0) > 0 || op.requestBody !== undefined);
}

describe('every route, thrown bad input', () => {
  it('answers 4xx in the error shape, never 5xx, and writes nothing', async () => {
    const before = await everything();
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ path, method: method.toUpperCase(), op })),
    );
    const tried = operations.filter((o) => fuzzable(o.op));
    expect(tried.length).toBeGreaterThan(5);
    let requests = 0;
    for (const { path, method, op } of tried) {
      await fc.assert(
        fc.asyncProperty(attempts(path, method, op), async (a) => {
          requests++;
          const res = await fetch(`${t.url}${a.path}`, {
            method: a.method,
            headers: a.body === undefined ? {} : { 'content-type': 'application/json' },
            body: a.body,
          });
          const text = await res.text();
          const where = `${a.method} ${a.path} ${a.body ?? ''} → ${res.status} ${text.slice(0, 300)}`;
          expect(res.status, where).toBeGreaterThanOrEqual(400);
          expect(res.status, where).toBeLessThan(500);
          const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown; details?: unknown } };
          expect(typeof body.error?.code, where).toBe('string');
          expect(typeof body.error?.message, where).toBe('string');
          expect(typeof body.error?.details, where).toBe('object');
        }),
        { numRuns: RUNS_PER_OPERATION, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31), verbose: 1 },
      );
    }
    expect(requests).toBeGreaterThan(tried.length * 10);
    expect(await everything()).toEqual(before);
  });
});
