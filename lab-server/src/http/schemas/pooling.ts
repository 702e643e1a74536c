import { z } from 'zod';

// The pooling API's reply shapes (`/lab/v1/pooling`), following pooling/pooling.ts field by field.

export const PoolingStatusSchema = z
  .object({
    binary: z.string().nullable().describe('where the pgbouncer binary is; null when it is not installed'),
    version: z.string().nullable(),
    install_hint: z.string().nullable().describe('what to install when PgBouncer is missing'),
    mode: z.enum(['off', 'session', 'transaction']),
    pool_size: z.number().nullable().describe('server connections per shard (default_pool_size)'),
    bouncers: z.array(
      z.object({
        shard: z.string(),
        port: z.number(),
        pid: z.number().nullable(),
        clients_active: z.number().describe('SHOW POOLS cl_active: client connections paired with a server connection'),
        clients_waiting: z.number().describe('SHOW POOLS cl_waiting: client connections waiting for one'),
        servers_active: z.number(),
        servers_idle: z.number(),
        transactions: z.number().describe('SHOW STATS total_xact_count'),
        queries: z.number().describe('SHOW STATS total_query_count'),
      }),
    ),
  })
  .meta({ id: 'PoolingStatus' });

export const PoolingDemoSchema = z
  .object({
    results: z.array(
      z.object({
        feature: z.string(),
        mode: z.enum(['session', 'transaction']),
        broke: z.boolean().describe('the feature did not behave as on a direct connection'),
        observed: z.string(),
        fix: z.string(),
      }),
    ),
  })
  .meta({ id: 'PoolingDemo' });
