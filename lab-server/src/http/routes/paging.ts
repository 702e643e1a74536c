import { z } from 'zod';
import type { ApiRouter } from '../api-router.js';
import type { Lab } from '../../lab/lab.js';
import { PagingReportSchema, type PagingReport } from '../../contracts/paging.js';
import { comparePaging } from '../../messenger/users/paging-compare.js';

const Body = z.strictObject({
  page: z
    .number({ error: 'page must be a number' })
    .int('page must be a whole number')
    .min(2, 'page must be at least 2 (page 1 is always measured beside it)')
    .max(5_000, 'page must be at most 5,000')
    .default(1_000),
  limit: z
    .number({ error: 'limit must be a number' })
    .int('limit must be a whole number')
    .min(1, 'limit must be at least 1')
    .max(100, 'limit must be at most 100')
    .default(20),
});

/**
 * `POST /lab/v1/users/paging`: the original's OFFSET listing against the lab's keyset listing across the
 * shards, measured at page 1 and a deep page; `GET` answers the last measurement (the one a check judges by).
 */
export function pagingRoutes(api: ApiRouter, lab: Pick<Lab, 'cluster' | 'ring'>): void {
  let last: PagingReport | null = null;
  api.add(
    {
      method: 'get',
      path: '/users/paging',
      tag: 'lab: ring',
      summary: 'The last OFFSET-against-keyset paging measurement, if any',
      responses: { 200: { description: 'the last measurement, or null', schema: z.object({ last: PagingReportSchema.nullable() }) } },
    },
    ({ res }) => {
      res.json({ last });
    },
  );
  api.add(
    {
      method: 'post',
      path: '/users/paging',
      tag: 'lab: ring',
      summary:
        "List users across the shards at page 1 and a deep page, with OFFSET (the original's) and with a keyset cursor (the lab's): time, rows sent and rows read per shard, with EXPLAIN",
      description: 'Reads only. The shards must hold at least page × limit users (409 too_few_users otherwise).',
      body: Body,
      bodyName: 'paging run',
      responses: {
        200: { description: 'both ways at both pages', schema: PagingReportSchema },
        409: { description: 'too_few_users, or paging_moved: users changed while the pages were read' },
      },
    },
    async ({ res, body }) => {
      last = await comparePaging(lab.cluster, () => lab.ring.router, body.page, body.limit);
      res.json(last);
    },
  );
}
