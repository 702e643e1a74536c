import { z } from 'zod';
import type { ReadTrial } from '../../reads/trial.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import { fmt } from './format.js';
import { count } from './params.js';
import { readsView } from './reads-view.js';

const POLICIES = ['primary', 'replica', 'read-your-writes'] as const;
const spec = z.strictObject({
  kind: z.literal('read-trial'),
  policy: z.enum(POLICIES),
  stale_at_least: count.optional(),
  stale_at_most: count.optional(),
});
type ReadTrialSpec = z.output<typeof spec>;

const RUN_ONE = 'Run a write-then-read trial from the reads panel, or `reads trial` in the terminal.';

/** The verdict on the last trial's result under the policy: stale reads in range, and no other failure. */
export function judgeReadTrial(s: ReadTrialSpec, trial: ReadTrial | null): CheckResult {
  if (!trial) return fail(`No write-then-read trial yet. ${RUN_ONE}`);
  const r = trial.results.find((x) => x.policy === s.policy);
  if (!r) return fail(`The last trial did not run the ${s.policy} policy. ${RUN_ONE}`);
  const seen = `Under ${s.policy}, ${fmt(r.not_found)} of ${fmt(r.pairs)} reads missed a user created a moment before (${fmt(r.replica_reads)} reads served by replicas).`;
  if (r.errors > 0) return fail(`${seen} ${fmt(r.errors)} requests failed otherwise; see the shards' status, then run the trial again.`);
  if (s.stale_at_least !== undefined && r.not_found < s.stale_at_least) {
    return fail(`${seen} This step needs at least ${fmt(s.stale_at_least)}: make the replica lag (a delay of a few seconds), then run the trial again.`);
  }
  if (s.stale_at_most !== undefined && r.not_found > s.stale_at_most) return fail(`${seen} This step needs at most ${fmt(s.stale_at_most)}.`);
  return pass(seen);
}

/** The last write-then-read trial saw that many stale reads under the policy. */
export const readTrial: CheckKind<ReadTrialSpec> = {
  kind: 'read-trial',
  spec,
  async run(s, ctx) {
    const view = await readsView(ctx);
    return typeof view === 'string' ? fail(view) : judgeReadTrial(s, view.last_trial);
  },
};
