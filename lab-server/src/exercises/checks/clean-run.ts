import { z } from 'zod';
import { errorMessage } from '../../net/self-client.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import { fmt } from './format.js';
import { count } from './params.js';
import { readsView } from './reads-view.js';

const spec = z.strictObject({ kind: z.literal('clean-run'), scenario: z.string().min(1), max_errors: count.default(0) });
type CleanRunSpec = z.output<typeof spec>;

export interface RunView {
  state: string;
  params?: { scenario?: string };
  started_at: string | null;
  summary?: { requests_per_s?: number; requests?: number; errors?: number } | null;
}

/**
 * The verdict on the newest finished run of the scenario that started after the last write-then-read trial:
 * the load must come after the lesson, so an old run does not count.
 */
export function judgeCleanRun(s: CleanRunSpec, runs: readonly RunView[], trialFinishedAt: string | null): CheckResult {
  if (!trialFinishedAt) return fail('Run a write-then-read trial first (the reads panel), then the load test.');
  const after = runs.filter((r) => r.params?.scenario === s.scenario && r.started_at !== null && Date.parse(r.started_at) > Date.parse(trialFinishedAt));
  const done = after.find((r) => r.state === 'finished');
  if (!done) {
    const going = after.some((r) => r.state === 'running' || r.state === 'preparing');
    return fail(
      going
        ? `The ${s.scenario} load test is still running; check when it has finished.`
        : `Run the ${s.scenario} load test now (the load-test panel, or \`loadtest ${s.scenario}\`).`,
    );
  }
  const errors = done.summary?.errors ?? 0;
  const measured = `${fmt(done.summary?.requests ?? 0)} requests at ${fmt(Math.round(done.summary?.requests_per_s ?? 0))} req/s, ${fmt(errors)} errors`;
  if (errors > s.max_errors) return fail(`The newest ${s.scenario} run had ${measured}. Which read policy was on? Switch it, and run the load test again.`);
  return pass(`Under load: ${measured}.`);
}

/** A run of the scenario since the last trial finished with at most `max_errors` errors. */
export const cleanRun: CheckKind<CleanRunSpec> = {
  kind: 'clean-run',
  spec,
  async run(s, ctx) {
    const reads = await readsView(ctx);
    if (typeof reads === 'string') return fail(reads);
    const reply = await ctx.api.call<{ runs: RunView[] }>('GET', '/lab/v1/loadtests');
    if (reply.status !== 200) return fail(`Could not read the load-test history: ${errorMessage(reply)}`);
    return judgeCleanRun(s, reply.body.runs, reads.last_trial?.finished_at ?? null);
  },
};
