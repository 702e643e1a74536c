import { z } from 'zod';
import { CLAIM_CRASHES } from '../../contracts/references.js';
import { listClaimWalkthroughs, type ClaimWalkthroughRecord } from '../../references/claim-walkthrough.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';

const spec = z.strictObject({ kind: z.literal('claim-walkthrough'), crashes: z.array(z.enum(CLAIM_CRASHES)).min(1) });
type WalkthroughSpec = z.output<typeof spec>;

const HOLDER = { first: 'the first sign-up', second: 'the second user', other: 'someone else' } as const;

/** The verdict on the recorded walkthroughs: for each crash asked for, the newest run of it left the name on exactly one account. */
export function judgeWalkthroughs(s: WalkthroughSpec, runs: readonly ClaimWalkthroughRecord[]): CheckResult {
  const seen: string[] = [];
  for (const crash of s.crashes) {
    const run = [...runs].reverse().find((r) => r.crash === crash);
    if (!run) {
      return fail(`Run the walkthrough with the crash “${crash}” (the claim panel, or \`fk claim --crash ${crash}\`), then watch who ends up with the name.`);
    }
    if (!run.settled) {
      return fail(
        `The “${crash}” run on “${run.username}” ended with ${run.accounts_with_name} account(s) carrying the name and the lookup row not naming one of them: read its steps.`,
      );
    }
    seen.push(`${crash}: “${run.username}” went to ${run.holder ? HOLDER[run.holder] : 'nobody'}, on exactly one account`);
  }
  return pass(`${seen.join('; ')}.`);
}

/** A sign-up that died between claim and confirm, settled by the next claimant: one account per name. */
export const claimWalkthrough: CheckKind<WalkthroughSpec> = {
  kind: 'claim-walkthrough',
  spec,
  async run(s, ctx) {
    return judgeWalkthroughs(s, await listClaimWalkthroughs(ctx.lab.cluster));
  },
};
