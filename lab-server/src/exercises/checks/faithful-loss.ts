import { z } from 'zod';
import type { JobView } from '../../jobs/registry.js';
import { inspectPartitions, type PartitionReport } from '../../partitioning/users-inspector.js';
import type { Answer } from '../context.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import { fmt } from './format.js';
import { during, endedRuns, loadRuns, type TimedRun, time } from './load-window.js';

const spec = z.strictObject({ kind: z.literal('faithful-loss'), scenario: z.string().min(1) });
type FaithfulLossSpec = z.output<typeof spec>;

/** The newest faithful repartition that began and succeeded inside a finished (or stopped) run of the scenario. */
function faithfulUnderLoad(scenario: string, runs: readonly TimedRun[], jobs: readonly JobView[]): JobView | undefined {
  const ended = endedRuns(runs, scenario, 'finished or stopped');
  return jobs
    .filter((j) => j.kind === 'repartition' && j.params.mode === 'faithful' && j.state === 'succeeded')
    .filter((j) => ended.some((r) => during(r, j.started_at, j.finished_at)))
    .sort((a, b) => time(b.finished_at) - time(a.finished_at))[0];
}

/** Ids the faithful swap lost on every shard, as the table recorded at its swap; null when another build came since. */
export function faithfulLost(report: PartitionReport): number | null {
  if (report.shards.length === 0 || report.shards.some((s) => s.last_build !== 'faithful')) return null;
  return report.shards.reduce((n, s) => n + s.out_of_step, 0);
}

/**
 * The verdict: the original's swap ran under the lab's load test, it is still the last build on every shard, it
 * lost ids (counted by id under its lock), and the learner's number is that count.
 */
export function judgeFaithfulLoss(
  s: FaithfulLossSpec,
  answer: Answer | undefined,
  report: PartitionReport,
  runs: readonly TimedRun[],
  jobs: readonly JobView[],
): CheckResult {
  if (!faithfulUnderLoad(s.scenario, runs, jobs)) {
    return fail(
      `Start the ${s.scenario} load test; while it runs, press “Build — faithful swap” (or \`partitions build 16 --faithful\`); stop the run once the build has succeeded. The build must begin and end inside the run.`,
    );
  }
  const lost = faithfulLost(report);
  if (lost === null) return fail('Another build has replaced the faithful one since; run the faithful swap under load again.');
  if (lost === 0) return fail('This swap lost nothing: no write landed during its copy. Run it again while the load test is sending requests.');
  if (typeof answer !== 'number') return fail('Enter the number of ids the swap lost on all shards together (the inspector’s last column).');
  const per = report.shards.map((x) => `${x.shard_name} ${fmt(x.out_of_step)}`).join(', ');
  if (answer !== lost) return fail(`${fmt(answer)} is not it. Add up the ids lost per shard in the inspector's last column.`);
  return pass(
    `Right: the original's swap lost ${fmt(lost)} ids (${per}) — writes made during its copy, dropped with the old table, and deletes it undid. The online build loses none.`,
  );
}

/** The original's swap, run under load, lost writes, and the learner counted them (asks a number). */
export const faithfulLoss: CheckKind<FaithfulLossSpec> = {
  kind: 'faithful-loss',
  spec,
  question: {
    input: () => ({ type: 'number', label: 'How many ids did the faithful swap lose on all shards together?', unit: 'ids' }),
    answer: async (_s, { lab }) => faithfulLost(await inspectPartitions(lab.cluster)),
  },
  async run(s, { api, lab }, answer) {
    const runs = await loadRuns(api);
    if (!Array.isArray(runs)) return runs;
    return judgeFaithfulLoss(s, answer, await inspectPartitions(lab.cluster), runs, lab.jobs.list());
  },
};
