import { z } from 'zod';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import { fmt } from './format.js';
import { count } from './params.js';
import { readsView, type ReadsView } from './reads-view.js';

const spec = z.strictObject({ kind: z.literal('replica'), shard: z.string().min(1), delay_at_least_ms: count.optional() });
type ReplicaSpec = z.output<typeof spec>;

/** The verdict on the shard's replica: there, up, and (when asked) applying commits at least that late. */
export function judgeReplica(s: ReplicaSpec, replicas: ReadsView['replicas']): CheckResult {
  const r = replicas.find((x) => x.shard === s.shard);
  if (!r) return fail(`${s.shard} has no replica. Press “Add replica” on its row, or run \`shards replica ${s.shard}\`.`);
  if (r.status !== 'up') {
    const why = r.error ? ` (${r.error})` : '';
    const log = r.log.length ? ` Its log ends: ${r.log.join(' | ')}` : '';
    return fail(`${r.replica} is down${why}. Remove it and add a new one.${log}`);
  }
  const lag = r.lag_bytes === null ? '' : ` It is ${fmt(r.lag_bytes)} bytes of WAL behind.`;
  if (s.delay_at_least_ms !== undefined) {
    const delay = r.apply_delay_ms ?? 0;
    if (delay < s.delay_at_least_ms) {
      return fail(
        `${r.replica} applies commits ${fmt(delay)} ms late; this step needs at least ${fmt(s.delay_at_least_ms)} ms. Set its delay in the reads panel, or run \`shards replica-delay ${s.shard} ${s.delay_at_least_ms}\`.`,
      );
    }
    return pass(`${r.replica} applies every commit ${fmt(delay)} ms after ${s.shard} made it.${lag}`);
  }
  return pass(`${r.replica} is up and streaming from ${s.shard}.${lag}`);
}

/** The shard has a replica up (and, optionally, one that lags on purpose). */
export const replica: CheckKind<ReplicaSpec> = {
  kind: 'replica',
  spec,
  async run(s, ctx) {
    const view = await readsView(ctx);
    return typeof view === 'string' ? fail(view) : judgeReplica(s, view.replicas);
  },
};
