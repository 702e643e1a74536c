import { z } from 'zod';
import type { ShardInfo } from '../../cluster/cluster.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';

const spec = z.strictObject({ kind: z.literal('shards-up') });
type ShardsUpSpec = z.output<typeof spec>;

/** The verdict on the shards' statuses. */
export function judgeShardsUp(shards: readonly Pick<ShardInfo, 'name' | 'status'>[]): CheckResult {
  const down = shards.filter((s) => s.status !== 'up');
  if (down.length > 0) {
    return fail(
      `${down.map((s) => `${s.name} is ${s.status}`).join(', ')}. Start ${down.length === 1 ? 'it' : 'them'} again (the topology panel's Start button, or \`shard start <name>\`).`,
    );
  }
  return pass(`All ${shards.length} shards answer.`);
}

/** Every shard answers. */
export const shardsUp: CheckKind<ShardsUpSpec> = {
  kind: 'shards-up',
  spec,
  async run(_s, ctx) {
    return judgeShardsUp(ctx.lab.cluster.info());
  },
};
