import { z } from 'zod';
import { get, request, seg } from './api.js';
import { arg, positionals } from './args.js';
import { defineCommand } from './command.js';
import { Route, User } from './replies.js';

/** `user create` and `user get`: the messenger API, as a learner would call it. */
export const create = defineCommand({
  name: 'user create',
  usage: 'user create FIRST LAST',
  summary: 'create a user through the messenger API, and see which shard stores it',
  args: z.object({ _: positionals([arg('FIRST'), arg('LAST')]) }),
  async run({ _: [first, last] }, ctx) {
    const { status, body: u } = await request(ctx.lab, 'POST', '/api/v1/users', User, { first_name: first, last_name: last });
    const { shard_name } = await get(ctx.lab, `/lab/v1/route?key=${seg(u.id)}`, Route);
    return {
      data: { user: u, shard: shard_name },
      text: `${ctx.style.green(status)} ${u.id} ${u.first_name} ${u.last_name} → stored on ${ctx.style.bold(shard_name)}`,
    };
  },
});

export const read = defineCommand({
  name: 'user get',
  usage: 'user get ID',
  summary: 'read a user through the messenger API',
  args: z.object({ _: positionals([arg('ID')]) }),
  async run({ _: [id] }, ctx) {
    const { status, body: u } = await request(ctx.lab, 'GET', `/api/v1/users/${seg(id)}`, User);
    return { data: u, text: `${ctx.style.green(status)} ${u.id} ${u.first_name} ${u.last_name}${u.email ? ` <${u.email}>` : ''}` };
  },
});
