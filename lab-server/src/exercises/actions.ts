import { z } from 'zod';
import type { ActionKind } from './action-kind.js';
import { runCheck, type CheckSpec } from './checks.js';
import type { Answer, ExerciseContext } from './context.js';
import type { StepReport } from './views.js';
import { addShard } from './actions/add-shard.js';
import { answer } from './actions/answer.js';
import { awaitLoadtest } from './actions/await-loadtest.js';
import { climbLadder } from './actions/climb-ladder.js';
import { api } from './actions/api.js';
import { clearData } from './actions/clear-data.js';
import { deleteUser } from './actions/delete-user.js';
import { loadtest } from './actions/loadtest.js';
import { removeShard } from './actions/remove-shard.js';
import { restoreStart } from './actions/restore-start.js';
import { seed } from './actions/seed.js';
import { shardCount } from './actions/shard-count.js';

/** Every step kind a chapter's solve or reset may use. A new kind is a file in `actions/` and one line here. */
const ACTION_KINDS = [seed, api, clearData, addShard, removeShard, shardCount, loadtest, awaitLoadtest, deleteUser, answer, restoreStart, climbLadder] as const;

type SpecOf<K> = K extends ActionKind<infer S> ? S : never;

/** One step of a reference solution or a chapter reset, as chapter files write it (`- do: seed`). */
export type ActionSpec = SpecOf<(typeof ACTION_KINDS)[number]>;

const [first, ...rest] = ACTION_KINDS;
/** Each kind's schema parses exactly its own steps; zod cannot follow that through a list, hence the cast. */
export const ActionSpecSchema = z.discriminatedUnion('do', [first.spec, ...rest.map((k) => k.spec)]) as z.ZodType<ActionSpec>;

const byName = new Map(ACTION_KINDS.map((k): [string, ActionKind<ActionSpec>] => [k.do, k]));

function kindOf(a: ActionSpec): ActionKind<ActionSpec> {
  const kind = byName.get(a.do);
  if (!kind) throw new Error(`unknown step kind '${a.do}'`);
  return kind;
}

/** What the UI lists under "Solve it for me" and the solve report repeats: plain words and the API call. */
export function describeAction(a: ActionSpec): string {
  return kindOf(a).describe(a);
}

/** Runs one step, unless its `unless` check already passes. `solving` is the exercise's check; null in a reset. */
export async function runAction(ctx: ExerciseContext, a: ActionSpec, solving: CheckSpec | null): Promise<{ report: StepReport; answer?: Answer | null }> {
  const step = describeAction(a);
  if (a.unless) {
    const already = await runCheck(ctx, a.unless, undefined);
    if (already.passed) return { report: { step, status: 'skipped', detail: `Already so: ${already.message}` } };
  }
  const done = await kindOf(a).run(a, ctx, solving);
  return { report: { step, status: 'done', detail: done.detail }, answer: done.answer };
}
