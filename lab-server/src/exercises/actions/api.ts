import { z } from 'zod';
import { stepSchema, type ActionKind } from '../action-kind.js';
import { callAndWait } from './lab-api.js';

const spec = stepSchema('api', {
  method: z.enum(['GET', 'POST', 'PUT', 'DELETE']),
  // Only the lab's own APIs: a chapter file must not make the lab call anything else.
  path: z.string().regex(/^\/(api|lab)\/v1\//, 'path must start with /api/v1/ or /lab/v1/'),
  body: z.unknown().optional(),
});

/** Calls the lab's own API, and waits for the job when it answers with one. */
export const api: ActionKind<z.output<typeof spec>> = {
  do: 'api',
  spec,
  describe: (s) => `${s.method} ${s.path}${s.body === undefined ? '' : ` ${JSON.stringify(s.body)}`}`,
  run: async (s, ctx) => ({ detail: await callAndWait(ctx, s.method, s.path, s.body) }),
};
