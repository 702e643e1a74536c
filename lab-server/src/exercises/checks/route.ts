import { z } from 'zod';
import { isUuid } from '../../sharding/key.js';
import type { Router } from '../../sharding/router.js';
import type { Answer } from '../context.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import { fmt } from './format.js';
import { shardNames } from './lab-shards.js';
import { noSuchShard, shardAnswer } from './shard-answer.js';

const spec = z.strictObject({ kind: z.literal('route'), key: z.string().refine(isUuid, 'key must be a UUID') });
type RouteSpec = z.output<typeof spec>;

/** The verdict on the learner's pick: the ring walk from the key's hash names the owner. */
export function judgeRoute(s: RouteSpec, answer: Answer | undefined, router: Router, shards: readonly string[]): CheckResult {
  const r = router.route(s.key);
  const picked = shardAnswer(answer, shards);
  if (picked === null) return fail(noSuchShard(answer));
  if (picked === r.shard_name) {
    return pass(
      `Right: ${s.key} hashes to ${fmt(r.hash)} (0x${r.hash.toString(16).padStart(8, '0')}); the first virtual node at or after it is ${r.vnode ?? '—'}, which belongs to ${r.shard_name}.`,
    );
  }
  return fail(`Not ${picked}. Type the key into the ring's lookup box and follow it clockwise, or run \`route ${s.key}\` in the terminal.`);
}

/** The learner names the shard the ring routes `key` to (asks a shard). */
export const route: CheckKind<RouteSpec> = {
  kind: 'route',
  spec,
  question: {
    input: (s) => ({ type: 'shard', label: `Which shard owns ${s.key}?` }),
    answer: async (s, { lab }) => lab.ring.router.route(s.key).shard_name,
  },
  async run(s, { lab }, answer) {
    return judgeRoute(s, answer, lab.ring.router, shardNames(lab));
  },
};
