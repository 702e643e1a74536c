import { z } from 'zod';
import type { ApiRouter, Operation } from './api-router.js';

/** A router and the path it is mounted at. */
export interface ApiMount {
  prefix: string;
  api: ApiRouter;
}

/** The one error shape, as every 4xx/5xx body. */
export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().describe('machine-readable, e.g. validation_failed, not_found, shard_unavailable'),
      message: z.string().describe('what went wrong and what to do next'),
      details: z.record(z.string(), z.unknown()).describe('e.g. fields: [{field, message}] for validation_failed; shards for shard_unavailable'),
    }),
  })
  .meta({ id: 'Error' });

type JsonSchema = Record<string, unknown>;

/**
 * Builds OpenAPI 3.1 from the routes' own zod schemas (z.toJSONSchema; JSON Schema 2020-12 is OpenAPI 3.1's
 * dialect). Schemas with a meta id become components; request schemas are rendered as input (what a client
 * sends: defaults optional), responses as output.
 */
export function openApiDocument(mounts: readonly ApiMount[], info: { title: string; version: string; description: string }) {
  const components: Record<string, JsonSchema> = {};

  const convert = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
    const json = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema & { $defs?: Record<string, JsonSchema> };
    const { $schema: _dialect, $defs = {}, ...root } = json;
    const renamed: Record<string, string> = {};
    const fix = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(fix)
        : v && typeof v === 'object'
          ? Object.fromEntries(
              Object.entries(v).map(([k, x]) => [
                k,
                k === '$ref' && typeof x === 'string'
                  ? x.replace(/^#\/\$defs\/(.+)$/, (_m, id: string) => `#/components/schemas/${renamed[id] ?? id}`)
                  : fix(x),
              ]),
            )
          : v;
    // Compared with their references resolved, so a schema met again inside another is recognised as the same.
    for (const [id, def] of Object.entries($defs)) {
      const existing = components[id];
      if (existing && JSON.stringify(existing) !== JSON.stringify(fix(def))) renamed[id] = `${id}${io === 'input' ? 'Input' : 'Output'}`;
    }
    for (const [id, def] of Object.entries($defs)) components[renamed[id] ?? id] = fix(def) as JsonSchema;
    return fix(root) as JsonSchema;
  };

  const errorRef = () => ({ content: { 'application/json': { schema: convert(ErrorSchema, 'output') } } });
  const paths: Record<string, Record<string, unknown>> = {};
  for (const { prefix, api } of mounts) {
    for (const op of api.operations) {
      const path = `${prefix}${op.path}`;
      (paths[path.replace(/:(\w+)/g, '{$1}')] ??= {})[op.method] = operation(op, path, convert, errorRef);
    }
  }
  return { openapi: '3.1.0', info, paths, components: { schemas: components } };
}

function operation(op: Operation, path: string, convert: (s: z.ZodType, io: 'input' | 'output') => JsonSchema, errorRef: () => unknown) {
  const declared = op.params ? ((op.params as z.ZodType as z.ZodObject).shape as Record<string, z.ZodType>) : {};
  const parameters: unknown[] = [...op.path.matchAll(/:(\w+)/g)].map(([, name]) => {
    const field = declared[name!];
    const schema = field ? convert(field, 'input') : { type: 'string', format: 'uuid' };
    return { name, in: 'path', required: true, schema, ...(schema.description ? { description: schema.description } : {}) };
  });
  if (op.query) {
    const shape = (op.query as z.ZodObject).shape as Record<string, z.ZodType>;
    for (const [name, field] of Object.entries(shape)) {
      const schema = convert(field, 'input');
      parameters.push({
        name,
        in: 'query',
        required: !field.safeParse(undefined).success,
        schema,
        ...(schema.description ? { description: schema.description } : {}),
      });
    }
  }
  const responses: Record<string, unknown> = {};
  for (const [status, r] of Object.entries(op.responses)) {
    responses[status] = r.schema
      ? { description: r.description, content: { [r.mediaType ?? 'application/json']: { schema: convert(r.schema, 'output') } } }
      : { description: r.description };
  }
  const generic: [boolean, number, string][] = [
    [
      op.query !== undefined || op.body !== undefined || (parameters.length > 0 && !op.params),
      400,
      'invalid input: details.fields names each wrong field (validation_failed), or invalid_id / invalid_json / invalid_cursor',
    ],
    [op.body !== undefined, 415, 'the body is not JSON (Content-Type: application/json)'],
    [true, 503, 'a shard this request needs is down; details.shards names it (Retry-After: 1)'],
  ];
  for (const [applies, status, description] of generic) {
    if (applies && !responses[status]) responses[status] = { description, ...(errorRef() as object) };
  }
  for (const [status, r] of Object.entries(responses)) {
    if (Number(status) >= 400 && !(r as { content?: unknown }).content) (r as Record<string, unknown>).content = (errorRef() as { content: unknown }).content;
  }
  return {
    operationId: `${op.method}${path.replace(/\/:?(\w+)/g, (_m, w: string) => w[0]!.toUpperCase() + w.slice(1))}`,
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    tags: [op.tag],
    parameters,
    ...(op.body ? { requestBody: { required: !op.bodyOptional, content: { 'application/json': { schema: convert(op.body, 'input') } } } } : {}),
    responses,
  };
}
