import { z } from 'zod';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import { readsView } from './reads-view.js';

const POLICIES = ['primary', 'replica', 'read-your-writes'] as const;
const spec = z.strictObject({ kind: z.literal('read-policy'), equals: z.enum(POLICIES) });
type ReadPolicySpec = z.output<typeof spec>;

export function judgeReadPolicy(s: ReadPolicySpec, policy: string): CheckResult {
  if (policy !== s.equals) {
    return fail(`Reads by id go by the ${policy} policy; this step needs ${s.equals}. Pick it in the reads panel, or run \`reads policy ${s.equals}\`.`);
  }
  return pass(`Reads by id go by the ${policy} policy.`);
}

/** The lab's read policy is the one named. */
export const readPolicy: CheckKind<ReadPolicySpec> = {
  kind: 'read-policy',
  spec,
  async run(s, ctx) {
    const view = await readsView(ctx);
    return typeof view === 'string' ? fail(view) : judgeReadPolicy(s, view.policy);
  },
};
