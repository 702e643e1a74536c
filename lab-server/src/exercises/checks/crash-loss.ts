import { z } from 'zod';
import { replyError } from '../../net/self-client.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import type { Answer, ExerciseContext } from '../context.js';
import { fmt } from './format.js';

const spec = z.strictObject({ kind: z.literal('crash-loss') });
type CrashLossSpec = z.output<typeof spec>;

/** The fields of a crash run the check reads (GET /lab/v1/tuning/durability). */
export interface CrashRunView {
  shard: string;
  synchronous_commit: 'on' | 'off';
  acknowledged: number;
  lost: number;
  commits_per_s: number;
}

async function crashRuns(ctx: ExerciseContext): Promise<CrashRunView[]> {
  const r = await ctx.api.call<{ runs: CrashRunView[] }>('GET', '/lab/v1/tuning/durability');
  if (r.status !== 200) throw replyError(r, 'Could not read the crash runs');
  return r.body.runs;
}

const newest = (runs: readonly CrashRunView[], mode: CrashRunView['synchronous_commit']) => [...runs].reverse().find((r) => r.synchronous_commit === mode);

/**
 * The verdict: a crash with synchronous_commit off lost acknowledged writes and the learner counted them, and
 * a crash with it on (the control) lost none.
 */
export function judgeCrashLoss(runs: readonly CrashRunView[], answer: Answer | undefined): CheckResult {
  const off = newest(runs, 'off');
  const on = newest(runs, 'on');
  if (!off) return fail('No crash with synchronous_commit off yet. In the durability panel pick “off” and press “Write, then crash”, or `tune crash off`.');
  if (off.lost === 0) {
    return fail(
      `Your last crash with synchronous_commit off lost none of its ${fmt(off.acknowledged)} acknowledged writes: the kill fell just after the WAL writer flushed. Crash again.`,
    );
  }
  if (!on) return fail('Now the control: the same crash with synchronous_commit on (“on” in the durability panel, or `tune crash on`).');
  if (on.lost > 0)
    return fail(`The crash with synchronous_commit on lost ${fmt(on.lost)} acknowledged writes, which it must never do. Look at the shard's log.`);
  if (typeof answer !== 'number') return fail('Enter how many acknowledged writes your last crash with synchronous_commit off lost.');
  if (answer !== off.lost) return fail(`Not that number: read “lost” for the last run with synchronous_commit off in the durability panel.`);
  return pass(
    `Right: with synchronous_commit off ${off.shard} acknowledged ${fmt(off.acknowledged)} commits (${fmt(off.commits_per_s)}/s) and lost ${fmt(off.lost)} of them in the crash; with it on it acknowledged ${fmt(on.acknowledged)} (${fmt(on.commits_per_s)}/s) and lost none.`,
  );
}

/** The durability trade-off of synchronous_commit, with a real kill (asks a number). */
export const crashLoss: CheckKind<CrashLossSpec> = {
  kind: 'crash-loss',
  spec,
  question: {
    input: () => ({ type: 'number', label: 'Acknowledged writes lost (synchronous_commit off)' }),
    answer: async (_s, ctx) => newest(await crashRuns(ctx), 'off')?.lost ?? null,
  },
  async run(_s, ctx, answer) {
    return judgeCrashLoss(await crashRuns(ctx), answer);
  },
};
