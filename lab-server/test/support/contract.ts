import { expect } from 'vitest';
import type { ApiRouter } from '../../src/http/api-router.js';
import { ErrorSchema } from '../../src/http/openapi.js';
import type { Reply } from './lab.js';

interface OpenApiDoc {
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
}

/**
 * Checks a reply against the published contract: its status is one GET /api/openapi.json lists for that
 * operation, and its body parses with the very zod schema that document was generated from.
 */
export function contract(api: ApiRouter, doc: OpenApiDoc) {
  const ops = api.operations.map((op) => ({
    op,
    re: new RegExp(`^${op.path.replace(/:\w+/g, '[^/]+')}$`),
    docPath: `/api/v1${op.path.replace(/:(\w+)/g, '{$1}')}`,
  }));
  return <T>(method: string, path: string, reply: Reply<T>): Reply<T> => {
    const bare = path.replace(/^\/api\/v1/, '').replace(/\?.*$/, '');
    const found = ops.find((o) => o.op.method === method.toLowerCase() && o.re.test(bare));
    expect(found, `${method} ${path} is not a documented operation`).toBeDefined();
    const documented = doc.paths[found!.docPath]?.[found!.op.method]?.responses ?? {};
    expect(Object.keys(documented), `${method} ${path} answered ${reply.status}, which the document does not list`).toContain(String(reply.status));
    const schema = reply.status >= 400 ? ErrorSchema : found!.op.responses[reply.status]?.schema;
    if (schema) {
      const parsed = schema.safeParse(reply.body);
      expect(parsed.success, `${method} ${path} ${reply.status} body does not match its schema: ${parsed.error?.message}`).toBe(true);
      // zod strips unknown keys: equality catches fields the document does not declare.
      expect(parsed.data, `${method} ${path} ${reply.status} has undocumented fields`).toEqual(reply.body);
    } else {
      expect(reply.body, `${method} ${path} ${reply.status} should have no body`).toBeNull();
    }
    return reply;
  };
}
