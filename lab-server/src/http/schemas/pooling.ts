import { z } from 'zod';

// The pooling API's reply shapes (`/lab/v1/pooling`), following pooling/pooling.ts field by field.

const PoolingBaseSchema = z.object({
  binary: z.string().nullable().describe('where the pgbouncer binary is; null when it is not installed'),
  version: z.string().nullable(),
  install_hint: z.string().nullable().describe('what to install when PgBouncer is missing'),
  mode: z.enum(['off', 'session', 'transaction']),
  pool_size: z.number().nullable().describe('server connections per shard (default_pool_size)'),
  given: z.boolean().describe('the PgBouncers are named by LAB_SHARDS (…|pgbouncer=URL): the lab routes through them and starts or stops none'),
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
});

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

export const PoolingClientsSchema = z
  .object({
    clients: z.number(),
    mode: z.enum(['session', 'transaction']),
    max_connections: z.number().describe("the shard's max_connections"),
    direct: z.object({
      tried: z.number().describe('clients opened straight to the server (at most max_connections + 50)'),
      connected: z.number(),
      refused: z.number(),
      error: z.string().nullable().describe('the first refusal, as PostgreSQL worded it'),
    }),
    pooled: z.object({
      connected: z.number(),
      refused: z.number(),
      queries_ok: z.number().describe('clients whose SELECT 1 answered while every client stayed connected'),
      queries_failed: z.number(),
      server_connections: z.number().describe('server connections PgBouncer held for them (SHOW POOLS)'),
      error: z.string().nullable(),
      ms: z.number(),
    }),
  })
  .meta({ id: 'PoolingClients' });

export const PoolingStatementsSchema = z
  .object({
    finished_at: z.string(),
    mode: z.enum(['off', 'session', 'transaction']),
    pgbouncer_version: z.string().nullable(),
    tracks_prepared_statements: z.boolean().describe('PgBouncer 1.21 or later, which can track named statements (max_prepared_statements)'),
    concurrency: z.number(),
    results: z.array(
      z.object({
        statements: z.enum(['named', 'unnamed']).describe('named: each connection prepares the hot statements once; unnamed: parsed on every call'),
        requests: z.number(),
        failed: z.number().describe('requests that did not answer 201, 200 or 204'),
        error: z.string().nullable().describe('the first failure, as the API reported it'),
        ms: z.number(),
      }),
    ),
  })
  .meta({ id: 'PoolingStatements' });

export const PoolingStatusSchema = PoolingBaseSchema.extend({
  last_clients: PoolingClientsSchema.nullable().describe('the last many-clients run under this pool mode'),
  last_statements: PoolingStatementsSchema.nullable().describe('the last statements trial under this pool mode'),
}).meta({ id: 'PoolingStatus' });
