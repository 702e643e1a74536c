import { z } from 'zod';
import type { ShardAdvice } from '../../contracts/shard-advice.js';
import { replyError } from '../../net/self-client.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import type { ExerciseContext } from '../context.js';
import { fmt } from './format.js';

const spec = z.strictObject({
  kind: z.literal('shard-verdict'),
  users: z.number().int().min(0),
  writes_per_s: z.number().min(0),
  reads_per_s: z.number().min(0),
});
type ShardVerdictSpec = z.output<typeof spec>;

const sameInput = (s: ShardVerdictSpec, a: ShardAdvice): boolean =>
  a.input.users === s.users &&
  a.input.writes_per_s === s.writes_per_s &&
  a.input.reads_per_s === s.reads_per_s &&
  a.input.growth_percent_per_month === 0 &&
  a.input.data_gb === null;

/** The last advice for these numbers (the one the learner saw: the probe moves with the machine's load), or a new one. */
async function measure(s: ShardVerdictSpec, ctx: ExerciseContext): Promise<ShardAdvice> {
  const kept = await ctx.api.call<{ last: ShardAdvice | null }>('GET', '/lab/v1/shard-advice');
  if (kept.status === 200 && kept.body.last && sameInput(s, kept.body.last)) return kept.body.last;
  const r = await ctx.api.call<ShardAdvice>('POST', '/lab/v1/shard-advice', { users: s.users, writes_per_s: s.writes_per_s, reads_per_s: s.reads_per_s });
  if (r.status !== 200) throw replyError(r, 'Could not call POST /lab/v1/shard-advice');
  return r.body;
}

/** The verdict on the learner's number of shards for the given load. */
export function judgeShardVerdict(answer: number | undefined, a: ShardAdvice): CheckResult {
  const m = a.measured;
  const why = `one shard here took ${fmt(m.writes_per_s)} committed inserts/s and ${fmt(m.reads_per_s)} reads/s; planned at ${a.headroom * 100} %, ${fmt(a.input.writes_per_s)} writes/s need ${a.shards} primar${a.shards === 1 ? 'y' : 'ies'} and the reads ${a.replicas_per_shard} replica${a.replicas_per_shard === 1 ? '' : 's'} per shard (verdict: ${a.verdict})`;
  if (answer === undefined || !Number.isFinite(answer)) return fail('Enter a number of shards (1 means: do not shard).');
  if (answer === a.shards) return pass(`Right: ${why}. The original's table for ${fmt(a.input.users)} users says: ${a.original_row}.`);
  return fail(`Not ${fmt(answer)}: ${why}.`);
}

/** Decide with this lab's measured numbers: how many shards a given load needs (1: do not shard). */
export const shardVerdict: CheckKind<ShardVerdictSpec> = {
  kind: 'shard-verdict',
  spec,
  question: {
    input: (s) => ({
      type: 'number',
      label: `${fmt(s.users)} users, ${fmt(s.writes_per_s)} writes/s, ${fmt(s.reads_per_s)} reads/s: how many shards (1: do not shard)?`,
      unit: 'shards',
    }),
    answer: async (s, ctx) => (await measure(s, ctx)).shards,
  },
  async run(s, ctx, answer) {
    return judgeShardVerdict(answer === undefined ? undefined : Number(answer), await measure(s, ctx));
  },
};
