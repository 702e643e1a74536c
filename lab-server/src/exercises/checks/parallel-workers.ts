import { z } from 'zod';
import { DomainError } from '../../domain/errors.js';
import { explainParallel, type ParallelPlan } from '../../partitioning/pruning.js';
import type { Answer, ExerciseContext } from '../context.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import { fmt } from './format.js';

const spec = z.strictObject({ kind: z.literal('parallel-workers'), shard: z.string().min(1) });
type ParallelWorkersSpec = z.output<typeof spec>;

const kb = (b: number) => `${fmt(Math.round(b / 1024))} kB`;

/** The verdict on the learner's count of parallel workers the planner asks for on the scan, against EXPLAIN on the shard. */
export function judgeParallelWorkers(answer: Answer | undefined, plan: ParallelPlan): CheckResult {
  if (typeof answer !== 'number') return fail(`Enter a number: how many parallel workers does the plan of the scan on ${plan.shard_name} ask for?`);
  const sizes = `its largest partition is ${kb(plan.largest_partition_bytes)}, and a table under min_parallel_table_scan_size (${kb(plan.min_parallel_table_scan_size_bytes)}) gets no worker`;
  if (answer !== plan.workers_planned) {
    return fail(
      `Not ${answer}. Press “Explain analyze” under the scan in the chapter (or run it with EXPLAIN in the console on ${plan.shard_name}) and look for a Gather and its Workers Planned; no Gather means none.`,
    );
  }
  return pass(
    plan.workers_planned === 0
      ? `Right: a plain Append of ${plan.partitions_total} scans, no workers — ${sizes}. The original's 430,000-row partitions are far above it, so its plan asks for workers.`
      : `Right: ${plan.workers_planned} workers share the ${plan.partitions_total} partitions' scans — ${sizes}, and some are above it.`,
  );
}

async function measure(s: ParallelWorkersSpec, ctx: ExerciseContext): Promise<ParallelPlan | string> {
  try {
    return await explainParallel(ctx.lab.cluster, s.shard);
  } catch (err) {
    // Not partitioned yet, or no such shard: the service's message says what to do.
    if (err instanceof DomainError) return err.message;
    throw err;
  }
}

/** The learner predicts, then reads, the parallel workers the planner chooses for a scan of every partition (asks a number). */
export const parallelWorkers: CheckKind<ParallelWorkersSpec> = {
  kind: 'parallel-workers',
  spec,
  question: {
    input: (s) => ({ type: 'number', label: `Parallel workers the plan asks for on ${s.shard}`, unit: 'workers' }),
    answer: async (s, ctx) => {
      const r = await measure(s, ctx);
      return typeof r === 'string' ? null : r.workers_planned;
    },
  },
  async run(s, ctx, answer) {
    const r = await measure(s, ctx);
    return typeof r === 'string' ? fail(r) : judgeParallelWorkers(answer, r);
  },
};
