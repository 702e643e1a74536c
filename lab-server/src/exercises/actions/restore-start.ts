import { z } from 'zod';
import { emptyMessengerTables } from '../../starts/clear.js';
import { stoppedAs } from '../../cluster/shard.js';
import { StartSpecSchema } from '../../starts/starts.js';
import { stepSchema, type ActionKind } from '../action-kind.js';
import { failUnlessOk, jobResult, startAndWait } from './lab-api.js';
import { bringShardCount } from './shard-count.js';

const spec = stepSchema('restore-start', StartSpecSchema.shape);
type RestoreStartStep = z.output<typeof spec>;
const Report = z.object({ how: z.enum(['restored', 'built']), ms: z.number() });

const data = (s: RestoreStartStep) =>
  [
    `${s.users.toLocaleString('en-US')} users`,
    s.conversations ? `${s.conversations.toLocaleString('en-US')} conversations` : '',
    s.messages ? `${s.messages.toLocaleString('en-US')} messages` : '',
  ]
    .filter(Boolean)
    .join(', ');

/**
 * A chapter's start: the configured shards (a ring that grew or shrank is emptied first, so no rows move), then
 * every shard's data cloned from the start's snapshot — `POST /lab/v1/starts`.
 */
export const restoreStart: ActionKind<RestoreStartStep> = {
  do: 'restore-start',
  spec,
  describe: (s) => `Restore the chapter's start: the configured shards with ${data(s)}, from a snapshot — POST /lab/v1/starts`,
  run: async (s, ctx) => {
    const parts: string[] = [];
    // A shard the learner killed or paused is part of no start: each answers again before its data is replaced.
    for (const shard of ctx.lab.cluster.shards) {
      const was = stoppedAs(shard);
      if (!was) continue;
      const fault = was === 'down' ? 'start' : 'resume';
      failUnlessOk(await ctx.api.call('POST', `/lab/v1/shards/${shard.name}/${fault}`), `POST /lab/v1/shards/${shard.name}/${fault}`);
      parts.push(`${fault === 'start' ? 'Started' : 'Resumed'} ${shard.name}, which was ${was}.`);
    }
    // PgBouncers the lab runs are not part of any chapter's start: left on in transaction mode, they would fail the
    // next chapter's requests (its named statements) for a reason that chapter never mentions.
    const pooling = await ctx.api.call<{ mode: string; given: boolean }>('GET', '/lab/v1/pooling');
    if (pooling.status === 200 && pooling.body.mode !== 'off' && !pooling.body.given) {
      failUnlessOk(await ctx.api.call('PUT', '/lab/v1/pooling', { mode: 'off' }), 'PUT /lab/v1/pooling');
      parts.push(`Stopped the PgBouncers left on (${pooling.body.mode} mode).`);
    }
    // Nor is a cache in front of the users: another chapter's reads would be answered from it.
    const cache = await ctx.api.call<{ mode: string }>('GET', '/lab/v1/cache');
    if (cache.status === 200 && cache.body.mode !== 'off') {
      failUnlessOk(await ctx.api.call('PUT', '/lab/v1/cache', { mode: 'off' }), 'PUT /lab/v1/cache');
      parts.push(`Turned off the users cache left on (${cache.body.mode}).`);
    }
    if (ctx.lab.ring.router.names.length !== ctx.lab.config.shardCount) {
      await emptyMessengerTables(ctx.lab.cluster);
      parts.push(await bringShardCount(ctx, ctx.lab.config.shardCount));
    }
    const job = await startAndWait(ctx, 'POST', '/lab/v1/starts', { users: s.users, conversations: s.conversations, messages: s.messages });
    const r = jobResult(job, Report);
    const ms = Math.round(r.ms).toLocaleString('en-US');
    parts.push(r.how === 'restored' ? `Cloned every shard from the start's snapshot in ${ms} ms.` : `Built the start (seeded, then snapshotted) in ${ms} ms.`);
    return { detail: parts.join(' ') };
  },
};
