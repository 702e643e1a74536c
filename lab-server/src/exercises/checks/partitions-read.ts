import { z } from 'zod';
import { DomainError } from '../../domain/errors.js';
import { explainPruning, type PlanTouch, type PruningReport } from '../../partitioning/pruning.js';
import type { Answer, ExerciseContext } from '../context.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';

const LOOKUPS = { id: 'by_id', 'id-at-run-time': 'by_id_runtime', name: 'by_name' } as const;
const WORDS = { id: 'by id', 'id-at-run-time': 'by an id known only at run time', name: 'by first name' } as const;

const spec = z.strictObject({ kind: z.literal('partitions-read'), shard: z.string().min(1), by: z.enum(['id', 'id-at-run-time', 'name']) });
type PartitionsReadSpec = z.output<typeof spec>;

/** The verdict on the learner's count of partitions the lookup reads, against EXPLAIN ANALYZE on the shard. */
export function judgePartitionsRead(s: PartitionsReadSpec, answer: Answer | undefined, report: PruningReport): CheckResult {
  const touch: PlanTouch = report[LOOKUPS[s.by]];
  if (typeof answer !== 'number')
    return fail(`Enter a number: how many of ${report.shard_name}'s ${touch.partitions_total} partitions does a lookup ${WORDS[s.by]} read?`);
  const read = touch.scanned.length;
  const pruned = touch.partitions_total - read;
  const when =
    touch.planned.length < touch.partitions_total ? 'while planning' : touch.planned.length > read ? 'while running (the others show “never executed”)' : '';
  if (answer === read) {
    return pass(
      `Right: EXPLAIN ANALYZE on ${report.shard_name} read ${read} of ${touch.partitions_total} partitions (${touch.scanned.join(', ')})${pruned > 0 ? `; ${pruned} pruned ${when}` : ''}. Execution ${touch.execution_ms.toFixed(3)} ms.`,
    );
  }
  return fail(
    `Not ${answer}. Run the lookup ${WORDS[s.by]} in the pruning panel (or \`partitions prune ${report.shard_name}\`) and count the partitions scanned.`,
  );
}

async function measure(s: PartitionsReadSpec, ctx: ExerciseContext): Promise<PruningReport | string> {
  try {
    return await explainPruning(ctx.lab.cluster, s.shard);
  } catch (err) {
    // Not partitioned yet, no rows, no such shard: the service's message says what to do.
    if (err instanceof DomainError) return err.message;
    throw err;
  }
}

/** The learner counts the partitions a lookup reads on a shard; the lab measures it with EXPLAIN ANALYZE (asks a number). */
export const partitionsRead: CheckKind<PartitionsReadSpec> = {
  kind: 'partitions-read',
  spec,
  question: {
    input: (s) => ({ type: 'number', label: `Partitions a lookup ${WORDS[s.by]} reads on ${s.shard}`, unit: 'partitions' }),
    answer: async (s, ctx) => {
      const r = await measure(s, ctx);
      return typeof r === 'string' ? null : r[LOOKUPS[s.by]].scanned.length;
    },
  },
  async run(s, ctx, answer) {
    const r = await measure(s, ctx);
    return typeof r === 'string' ? fail(r) : judgePartitionsRead(s, answer, r);
  },
};
