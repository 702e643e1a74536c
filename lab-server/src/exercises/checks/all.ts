import { z } from 'zod';
import { CheckSpecSchema, runCheck, type CheckSpec } from '../checks.js';
import { pass, type CheckKind } from '../check-kind.js';

/** Typed by hand: its parts are any check, so the type cannot be inferred from the registry that lists it. */
export interface AllSpec {
  kind: 'all';
  of: CheckSpec[];
}

/** Every check in the list passes; the first that fails answers for all. */
export const all: CheckKind<AllSpec> = {
  kind: 'all',
  // Lazy: this file and the registry import each other, and the registry's schema exists only once both have loaded.
  spec: z.strictObject({ kind: z.literal('all'), of: z.array(z.lazy(() => CheckSpecSchema)).min(1) }),
  async run(s, ctx, answer) {
    const messages: string[] = [];
    for (const part of s.of) {
      const r = await runCheck(ctx, part, answer);
      if (!r.passed) return r;
      messages.push(r.message);
    }
    return pass(messages.join(' '));
  },
};
