import { z } from 'zod';
import type { ApiRouter } from '../api-router.js';
import type { Lab } from '../../lab/lab.js';
import { adviseSharding } from '../../advice/shard-advice.js';
import { ShardAdvice, ShardAdviceInput } from '../../contracts/shard-advice.js';

/** `POST /lab/v1/shard-advice`: should you shard? The decision tree with the caller's numbers and this lab's measured ceilings. */
export function shardAdviceRoutes(api: ApiRouter, lab: Pick<Lab, 'cluster' | 'ring'>): void {
  let last: ShardAdvice | null = null;
  api.add(
    {
      method: 'get',
      path: '/shard-advice',
      tag: 'lab: ring',
      summary: 'The last advice given, if any (a check judges by the numbers the learner saw)',
      responses: { 200: { description: 'the last advice, or null', schema: z.object({ last: ShardAdvice.nullable() }) } },
    },
    ({ res }) => {
      res.json({ last });
    },
  );
  api.add(
    {
      method: 'post',
      path: '/shard-advice',
      tag: 'lab: ring',
      summary:
        'Should you shard? Your users, write and read rates, data and growth against what one shard of this lab takes, measured now: a verdict with its reasoning',
      description:
        'Measures for about 2 s on the first shard (committed inserts into a table it drops after, primary-key reads), then walks the decision tree.',
      body: ShardAdviceInput,
      bodyName: 'your numbers',
      responses: { 200: { description: 'the verdict, the numbers and each step', schema: ShardAdvice } },
    },
    async ({ res, body }) => {
      last = await adviseSharding(lab.cluster, () => lab.ring.router, body);
      res.json(last);
    },
  );
}
