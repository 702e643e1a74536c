import { expect } from 'vitest';
import type { ApiRouter } from '../../src/http/api-router.js';
import { ErrorSchema, type ApiMount } from '../../src/http/openapi.js';
import type { Reply } from './lab.js';

interface OpenApiDoc {
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
}

/**
 * Checks a reply against the published contract: its status is one GET /api/openapi.json lists for that
 * operation, and its body parses with the very zod schema that document was generated from. `apis` are the
 * mounted routers (e.g. the lab's `labApis`); a lone router is the messenger API at `/api/v1`.
 */
export function contract(apis: ApiRouter | readonly ApiMount[], doc: OpenApiDoc) {
  const mounts: readonly ApiMount[] = 'operations' in apis ? [{ prefix: '/api/v1', api: apis }] : apis;
  const ops = mounts.flatMap(({ prefix, api }) =>
    api.operations.map((op) => ({
      op,
      re: new RegExp(`^${prefix}${op.path.replace(/:\w+/g, '[^/]+')}$`),
      docPath: `${prefix}${op.path.replace(/:(\w+)/g, '{$1}')}`,
    })),
  );
  return <T>(method: string, path: string, reply: Reply<T>): Reply<T> => {
    const bare = path.replace(/\?.*$/, '');
    // Express tries routes in order: a literal path (/shards/plan) wins over a parameter declared after it.
    const found = ops.find((o) => o.op.method === method.toLowerCase() && o.re.test(bare));
    expect(found, `${method} ${path} is not a documented operation`).toBeDefined();
    const documented = doc.paths[found!.docPath]?.[found!.op.method]?.responses ?? {};
    expect(Object.keys(documented), `${method} ${path} answered ${reply.status}, which the document does not list`).toContain(String(reply.status));
    const declared = found!.op.responses[reply.status];
    const schema = declared?.schema ?? (reply.status >= 400 ? ErrorSchema : undefined);
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
