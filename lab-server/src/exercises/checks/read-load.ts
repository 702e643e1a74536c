import { z } from 'zod';
import type { ReadLoadTrial } from '../../contracts/read-load.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import { fmt } from './format.js';
import { count } from './params.js';
import { readsView } from './reads-view.js';

const spec = z.strictObject({
  kind: z.literal('read-load'),
  policy: z.enum(['replica', 'read-your-writes']),
  stale_at_least: count.optional(),
  stale_at_most: count.optional(),
  /** Failed requests the run may have; under `replica` the stale reads fail requests, so leave it unset there. */
  errors_at_most: count.optional(),
});
type ReadLoadSpec = z.output<typeof spec>;

const RUN_ONE = 'Press “Compare under load” in the reads panel, or `reads load` in the terminal.';

/** The verdict on the last comparison under load, for one policy's run: stale reads and failed requests in range. */
export function judgeReadLoad(s: ReadLoadSpec, trial: ReadLoadTrial | null): CheckResult {
  if (!trial) return fail(`No comparison under load yet. ${RUN_ONE}`);
  const r = trial.results.find((x) => x.policy === s.policy);
  if (!r) return fail(`The last comparison did not run the ${s.policy} policy. ${RUN_ONE}`);
  const seen = `Under ${s.policy} and the ${trial.scenario} load: ${fmt(r.stale_reads)} stale reads of ${fmt(r.replica_reads)} served by replicas, ${fmt(r.errors)} of ${fmt(r.requests)} requests failed.`;
  if (s.stale_at_least !== undefined && r.stale_reads < s.stale_at_least) {
    return fail(
      `${seen} This step needs at least ${fmt(s.stale_at_least)} stale reads: make shard-0's replica lag (a delay of a few seconds), then compare again.`,
    );
  }
  if (s.stale_at_most !== undefined && r.stale_reads > s.stale_at_most) return fail(`${seen} This step needs at most ${fmt(s.stale_at_most)} stale reads.`);
  if (s.errors_at_most !== undefined && r.errors > s.errors_at_most) {
    return fail(`${seen} This step allows at most ${fmt(s.errors_at_most)} failed requests; see the shards' status, then compare again.`);
  }
  return pass(seen);
}

/** The last comparison under load saw that many stale reads (and failed requests) under the policy. */
export const readLoad: CheckKind<ReadLoadSpec> = {
  kind: 'read-load',
  spec,
  async run(s, ctx) {
    const view = await readsView(ctx);
    return typeof view === 'string' ? fail(view) : judgeReadLoad(s, view.last_load);
  },
};
