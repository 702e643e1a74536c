import { z } from 'zod';
import type { DriftReport } from '../../migration-drill/index.js';
import type { Answer } from '../context.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import { noSuchShard, shardAnswer } from './shard-answer.js';

const spec = z.strictObject({ kind: z.literal('schema-drift') });
type SchemaDriftSpec = z.output<typeof spec>;

const drifted = (r: DriftReport) => [...new Set(r.differences.map((d) => d.shard))];

/** The verdict on the shard a learner names as the one that drifted; apart from reading the shards, so it is tested without a cluster. */
export function judgeSchemaDrift(r: DriftReport, answer: Answer | undefined): CheckResult {
  const off = drifted(r);
  if (off.length === 0) return fail('Every shard has the same schema: nothing has drifted. Press “Someone changes one shard” first.');
  const named = shardAnswer(
    answer,
    r.shards.map((s) => s.shard),
  );
  if (!named) return fail(noSuchShard(answer));
  if (!off.includes(named)) return fail(`${named} has the same schema as the others. Compare every shard: the drift report names the one that differs.`);
  const d = r.differences.filter((x) => x.shard === named);
  return pass(`Right: ${named} differs — ${d.map((x) => `${x.problem} ${x.kind} ${x.name}${x.found ? ` (${x.found})` : ''}`).join('; ')}.`);
}

/** Asks which shard drifted from the others (a change made by hand, outside the migrations). */
export const schemaDrift: CheckKind<SchemaDriftSpec> = {
  kind: 'schema-drift',
  spec,
  question: {
    input: () => ({ type: 'shard', label: 'The shard whose schema differs' }),
    answer: async (_s, ctx) => drifted(await ctx.lab.migrationDrill.drift())[0] ?? null,
  },
  async run(_s, ctx, answer) {
    return judgeSchemaDrift(await ctx.lab.migrationDrill.drift(), answer);
  },
};
