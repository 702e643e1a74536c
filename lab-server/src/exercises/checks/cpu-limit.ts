import { z } from 'zod';
import type { CpuSplit } from '../../contracts/loadtests.js';
import { replyError } from '../../net/self-client.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import type { Answer, ExerciseContext } from '../context.js';

const LIMITS = ['generator', 'api', 'databases', 'machine'] as const;

const spec = z.strictObject({ kind: z.literal('cpu-limit'), scenario: z.string().min(1) });
type CpuLimitSpec = z.output<typeof spec>;

/** The fields of a run this check reads. */
export interface CpuRun {
  id: string;
  state: string;
  params: { scenario: string };
  summary: { cpu?: CpuSplit | null } | null;
}

const pct = (n: number) => `${Math.round(n * 100)} %`;

/** The newest run of the scenario with a CPU split: finished, or failed at its hard limit (it measured until then). */
const newest = (s: CpuLimitSpec, runs: readonly CpuRun[]) =>
  runs.find((r) => ['finished', 'failed'].includes(r.state) && r.params.scenario === s.scenario && r.summary?.cpu);

/** The verdict on the learner's reading of which part limited the newest run of the scenario. */
export function judgeCpuLimit(s: CpuLimitSpec, answer: Answer | undefined, runs: readonly CpuRun[]): CheckResult {
  const run = newest(s, runs);
  if (!run)
    return fail(`No finished ${s.scenario} load test with a CPU split yet. Run scenario 4 in its panel (or \`loadtest ${s.scenario}\`), then read the split.`);
  const cpu = run.summary!.cpu!;
  const split = cpu.parts
    .filter((p) => p.part !== 'other')
    .map((p) => `${p.part} ${p.cores.toFixed(2)} of ${p.capacity_cores} core(s) (${pct(p.utilisation)})`)
    .join(', ');
  const seen = `Run ${run.id.slice(0, 8)}${run.state === 'failed' ? ' (it failed: the generator did not finish in time)' : ''}: ${split}; the machine ${pct(cpu.machine_busy)} busy.`;
  if (answer === undefined || answer === '') return fail(`${seen} Which part is the limit? Choose one of ${LIMITS.join(', ')}.`);
  if (!(LIMITS as readonly string[]).includes(String(answer))) return fail(`'${answer}' is not a part: choose one of ${LIMITS.join(', ')}.`);
  if (answer === cpu.limit) return pass(`Right: ${cpu.why} ${seen}`);
  return fail(`Not ${answer}. ${seen} Compare each part with what it can use, not only the largest number.`);
}

async function runs(ctx: ExerciseContext): Promise<CpuRun[]> {
  const r = await ctx.api.call<{ runs: CpuRun[] }>('GET', '/lab/v1/loadtests');
  if (r.status !== 200) throw replyError(r, 'Could not call GET /lab/v1/loadtests');
  return r.body.runs;
}

/** Which part of the system (load generator, API, databases, or the machine as a whole) limited the newest run. */
export const cpuLimit: CheckKind<CpuLimitSpec> = {
  kind: 'cpu-limit',
  spec,
  question: {
    input: (s) => ({ type: 'choice', label: `In the newest ${s.scenario} run, which part is the limit?`, options: [...LIMITS] }),
    answer: async (s, ctx) => newest(s, await runs(ctx))?.summary?.cpu?.limit ?? null,
  },
  async run(s, ctx, answer) {
    return judgeCpuLimit(s, answer, await runs(ctx));
  },
};
