import { z } from 'zod';
import type { DrillStatus } from '../../migration-drill/index.js';
import type { Answer } from '../context.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';

const spec = z.strictObject({ kind: z.literal('drill-lagging') });
type DrillLaggingSpec = z.output<typeof spec>;

/** The shard whose newest run failed, with the fewest drill migrations applied; null when no shard lags. */
function laggingShard(st: DrillStatus): { shard: string; applied: number; failed: string } | null {
  const lagging = st.shards
    .map((x) => ({ shard: x.shard, applied: x.applied, failed: x.cells.find((c) => c.state === 'failed')?.migration }))
    .filter((x): x is { shard: string; applied: number; failed: string } => x.failed !== undefined)
    .sort((a, b) => a.applied - b.applied);
  return lagging[0] ?? null;
}

/** The verdict on a learner's prediction; apart from reading the drill, so it is tested without a cluster. */
export function judgeDrillLagging(st: DrillStatus, answer: Answer | undefined): CheckResult {
  const lag = laggingShard(st);
  if (!lag) return fail('No shard has stopped at a failed migration yet. Inject a fault into one migration on one shard, then run latest.');
  if (typeof answer !== 'number') return fail('Enter a number first: how many drill migrations the failing shard holds.');
  const ahead = Math.max(...st.shards.map((x) => x.applied));
  if (answer !== lag.applied) {
    return fail(
      `${answer} is not it. Look at ${lag.shard}'s row in the matrix: which migrations committed before ${lag.failed} failed? Each runs in its own transaction.`,
    );
  }
  return pass(
    `Right: ${lag.shard} holds ${lag.applied} of ${st.migrations.length} (it stopped at ${lag.failed}); the shards that did not fail hold ${ahead}. What committed before the failure stays; only the failing migration rolled back.`,
  );
}

/** Asks how many drill migrations the shard that failed holds: the learner predicts it before running. */
export const drillLagging: CheckKind<DrillLaggingSpec> = {
  kind: 'drill-lagging',
  spec,
  question: {
    input: () => ({ type: 'number', label: 'Drill migrations applied on the failing shard' }),
    answer: async (_s, ctx) => laggingShard(await ctx.lab.migrationDrill.status())?.applied ?? null,
  },
  async run(_s, ctx, answer) {
    return judgeDrillLagging(await ctx.lab.migrationDrill.status(), answer);
  },
};
