import { z } from 'zod';

/** One shard's part of a cross-shard page: its query's time, the rows it sent, the rows its plan read. */
const ShardPageSchema = z.object({
  shard: z.string(),
  ms: z.number().describe("the query's round trip, measured by the API"),
  rows_sent: z.number().describe('rows the shard returned to the API'),
  rows_read: z.number().describe("rows the plan's scans read (EXPLAIN ANALYZE: actual rows plus rows removed by a filter, × loops, of the leaf nodes)"),
  buffers: z.number().describe('8 kB pages the plan touched (shared hit + read)'),
});

/** One way of fetching a page from every shard, measured. */
const PagingSideSchema = z.object({
  way: z.enum(['offset', 'keyset']),
  sql: z.string().describe('the statement each shard ran'),
  total_ms: z.number().describe('from sending the shards their queries to the merged page'),
  merge_ms: z.number().describe("the API's merge of the shards' rows"),
  rows_sent: z.number(),
  rows_read: z.number(),
  shards: z.array(ShardPageSchema),
  plan: z.string().describe("the first shard's EXPLAIN (ANALYZE, BUFFERS)"),
});

export const PagingReportSchema = z
  .object({
    users: z.number().describe('users on the ring’s shards when measured'),
    limit: z.number(),
    pages: z.array(z.object({ page: z.number(), offset: PagingSideSchema, keyset: PagingSideSchema })).describe('page 1, then the page asked for'),
    deep_ms_ratio: z.number().describe('OFFSET over keyset time at the deep page'),
    deep_read_ratio: z.number().describe('OFFSET over keyset rows read at the deep page'),
  })
  .meta({ id: 'PagingReport' });
export type PagingReport = z.output<typeof PagingReportSchema>;
export type PagingSide = PagingReport['pages'][number]['offset'];
