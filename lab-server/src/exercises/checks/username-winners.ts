import { z } from 'zod';
import type { UsernameRace } from '../../references/username-race.js';
import { failUnlessOk } from '../actions/lab-api.js';
import type { Answer, ExerciseContext } from '../context.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import { fmt } from './format.js';

const spec = z.strictObject({ kind: z.literal('username-winners'), claims: z.number().int().min(2).max(50) });
type WinnersSpec = z.output<typeof spec>;

/** Races a name nobody holds yet (each check its own), so the count is about the race and not an earlier claim. */
async function race(s: WinnersSpec, ctx: ExerciseContext): Promise<UsernameRace> {
  const username = `predict-${Date.now().toString(36)}-${Math.floor(Math.random() * 1296).toString(36)}`;
  const reply = await ctx.api.call<UsernameRace>('POST', '/lab/v1/references/username-race', { username, claims: s.claims });
  failUnlessOk(reply, 'POST /lab/v1/references/username-race');
  return reply.body;
}

const PROMPT = 'Enter your prediction first (a whole number); the check then runs the race.';
const whole = (answer: Answer | undefined): number | null => (answer !== undefined && Number.isInteger(Number(answer)) ? Number(answer) : null);

/** The verdict on a prediction, given a race just run. */
export function judgeWinners(predicted: number, r: Pick<UsernameRace, 'username' | 'lookup_shard' | 'claims' | 'won' | 'conflicts' | 'failed'>): CheckResult {
  if (r.failed.length > 0) return fail(`${fmt(r.failed.length)} claim(s) failed outright, so the race counts nothing: ${r.failed[0]}`);
  const measured = `Measured just now: ${fmt(r.claims)} users claimed “${r.username}” at once; every claim was an INSERT on ${r.lookup_shard}, and ${fmt(r.won)} won while ${fmt(r.conflicts)} got 409 already_taken.`;
  if (predicted === r.won) return pass(`Right. ${measured}`);
  return fail(
    `You predicted ${fmt(predicted)}. ${measured} The users live on different shards, but the name has one shard and its primary key admits one row.`,
  );
}

/** Predict, then measure: how many of N concurrent claims for one username win; the check runs the race. */
export const usernameWinners: CheckKind<WinnersSpec> = {
  kind: 'username-winners',
  spec,
  question: {
    input: (s) => ({ type: 'number', label: `How many of ${s.claims} concurrent claims for one new username will win?`, unit: 'winners' }),
    answer: async (s, ctx) => (await race(s, ctx)).won,
  },
  async run(s, ctx, answer) {
    const predicted = whole(answer);
    if (predicted === null) return fail(PROMPT);
    return judgeWinners(predicted, await race(s, ctx));
  },
};
