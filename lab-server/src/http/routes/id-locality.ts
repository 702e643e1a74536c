import { z } from 'zod';
import type { ApiRouter } from '../api-router.js';
import { ApiError } from '../errors.js';
import type { Lab } from '../../lab/lab.js';
import { measureInsertLocality } from '../../ids/insert-locality.js';

const LocalityRunSchema = z.object({
  kind: z.enum(['uuidv4', 'uuidv7']),
  rows: z.number(),
  index_pages: z.number().describe('pages (8 kB) of the primary-key B-tree after every row is in'),
  index_bytes: z.number(),
  rows_per_page: z.number(),
  insert_ms: z.number(),
  rows_per_s: z.number(),
});

export const LocalityReportSchema = z
  .object({
    shard: z.string(),
    rows: z.number(),
    batch: z.number().describe('rows per INSERT'),
    runs: z.tuple([LocalityRunSchema, LocalityRunSchema]).describe('UUIDv4 first, then UUIDv7'),
    v4_extra_pages_percent: z.number().describe('how many more index pages the random ids needed, in percent'),
    v7_rate_ratio: z.number().describe('UUIDv7 insert rate over UUIDv4 (moves with the machine’s load)'),
  })
  .meta({ id: 'IdLocality' });

const Body = z.strictObject({
  rows: z
    .number({ error: 'rows must be a number' })
    .int('rows must be a whole number')
    .min(1_000, 'rows must be at least 1,000')
    .max(200_000, 'rows must be at most 200,000')
    .default(20_000),
  shard: z.string().optional().describe('the shard to measure on (default: the first)'),
});

/**
 * `POST /lab/v1/ids/locality`: UUIDv4 against UUIDv7 inserted into a B-tree on one shard, measured;
 * `GET` answers the last measurement, so a check judges against the numbers the learner saw.
 */
export function idLocalityRoutes(api: ApiRouter, lab: Pick<Lab, 'cluster'>): void {
  let last: z.output<typeof LocalityReportSchema> | null = null;
  api.add(
    {
      method: 'get',
      path: '/ids/locality',
      tag: 'lab: ring',
      summary: 'The last UUIDv4-against-UUIDv7 insert measurement, if any',
      responses: { 200: { description: 'the last measurement, or null', schema: z.object({ last: LocalityReportSchema.nullable() }) } },
    },
    ({ res }) => {
      res.json({ last });
    },
  );
  api.add(
    {
      method: 'post',
      path: '/ids/locality',
      tag: 'lab: ring',
      summary: 'Insert the same number of UUIDv4 and UUIDv7 ids into a B-tree on one shard: index pages and insert rate of each',
      description: 'Temporary tables on the shard, 1,000 rows per INSERT; nothing is left behind. Takes a few seconds for 20,000 rows.',
      body: Body,
      bodyName: 'locality run',
      responses: { 200: { description: 'both runs and their ratio', schema: LocalityReportSchema } },
    },
    async ({ res, body }) => {
      const shard = body.shard ?? lab.cluster.shards[0]?.name;
      if (!shard || !lab.cluster.shards.some((s) => s.name === shard)) {
        throw new ApiError(400, 'unknown_shard', `There is no shard '${body.shard}'. GET /lab/v1/shards lists them.`, { field: 'shard' });
      }
      last = await measureInsertLocality(lab.cluster, shard, body.rows);
      res.json(last);
    },
  );
}
