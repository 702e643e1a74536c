import { z } from 'zod';
import { stepSchema, type ActionKind } from '../action-kind.js';
import { callAndWait } from './lab-api.js';

const spec = stepSchema('seed', { users: z.number().int().min(1).max(10_000_000) });

/** Loads users through `POST /lab/v1/seed` and waits for the job. */
export const seed: ActionKind<z.output<typeof spec>> = {
  do: 'seed',
  spec,
  describe: (s) => `Seed ${s.users.toLocaleString('en-US')} users — POST /lab/v1/seed`,
  run: async (s, ctx) => ({ detail: await callAndWait(ctx, 'POST', '/lab/v1/seed', { users: s.users }) }),
};
