import { z } from 'zod';
import { type DrillRecord, listDrills } from '../../references/outbox-drill.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';

const spec = z.strictObject({ kind: z.literal('outbox-drill') });
type DrillSpec = z.output<typeof spec>;

/** The verdict on the recorded drills: one whose event failed while the shard was down, was delivered after, and left no orphan. */
export function judgeDrill(runs: readonly DrillRecord[]): CheckResult {
  const good = [...runs].reverse().find((r) => r.attempts_while_down > 0 && r.delivered && r.orphans === 0);
  if (good) {
    return pass(
      `The event failed ${good.attempts_while_down} time(s) while the shard was down, was delivered ${good.lag_ms ?? '?'} ms after the delete, and left 0 orphans.`,
    );
  }
  if (runs.length === 0) return fail('No drill has run yet. Press “Kill a shard during a cleanup” in the outbox panel, or `fk outbox-drill`.');
  const last = runs[runs.length - 1]!;
  return fail(
    `The last drill left ${last.orphans} orphan(s) (delivered: ${last.delivered ? 'yes' : 'no'}). Run the audit to see them, then run the drill again.`,
  );
}

/** A shard killed during a deleted user's cleanup: the event waited and was delivered, nothing lost. */
export const outboxDrill: CheckKind<DrillSpec> = {
  kind: 'outbox-drill',
  spec,
  async run(_s, ctx) {
    return judgeDrill(await listDrills(ctx.lab.cluster));
  },
};
