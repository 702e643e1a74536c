import { z } from 'zod';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import { count } from './params.js';

const spec = z.strictObject({ kind: z.literal('shard-count'), equals: count.optional(), at_least: count.optional() });
type ShardCountSpec = z.output<typeof spec>;

const shards = (n: number): string => (n === 1 ? 'a shard' : `${n} shards`);

/** The verdict on the ring's shard names. */
export function judgeShardCount(s: ShardCountSpec, ring: readonly string[]): CheckResult {
  const n = ring.length;
  if (s.equals !== undefined && n !== s.equals) {
    const what = n < s.equals ? `Add ${shards(s.equals - n)}` : `Remove ${shards(n - s.equals)}`;
    return fail(`The ring has ${n} shards; this step needs ${s.equals}. ${what} first.`);
  }
  if (s.at_least !== undefined && n < s.at_least) return fail(`The ring has ${n} shards; this step needs at least ${s.at_least}.`);
  return pass(`The ring has ${n} shards (${ring.join(', ')}).`);
}

/** The ring has that many shards. */
export const shardCount: CheckKind<ShardCountSpec> = {
  kind: 'shard-count',
  spec,
  async run(s, ctx) {
    return judgeShardCount(s, ctx.lab.ring.router.names);
  },
};
