import { z } from 'zod';
import type { Lab } from '../../lab/lab.js';
import { INSTALL_HINT } from '../../pooling/pooling.js';
import type { ApiRouter } from '../api-router.js';
import { ApiError } from '../errors.js';
import { SelfClient } from '../../net/self-client.js';
import type { StatementsHost } from '../../pooling/statements-trial.js';
import { PoolingClientsSchema, PoolingDemoSchema, PoolingStatementsSchema, PoolingStatusSchema } from '../schemas/pooling.js';

const SetBody = z.strictObject(
  {
    mode: z.enum(['off', 'session', 'transaction'], { error: 'mode must be off, session or transaction' }),
    pool_size: z
      .number({ error: 'pool_size must be a number' })
      .int('pool_size must be an integer')
      .min(2, 'pool_size must be at least 2')
      .max(90, 'pool_size must be at most 90 (a shard allows 100 connections, and the lab needs a few of its own)')
      .default(10),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field(s): ${iss.keys.join(', ')}` : 'the body must be a JSON object') },
);

const StatementsBody = z.strictObject(
  {
    requests: z
      .number({ error: 'requests must be a number' })
      .int('requests must be an integer')
      .min(3, 'requests must be at least 3 (a create, a read, a delete)')
      .max(3000, 'requests must be at most 3,000')
      .default(300),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field(s): ${iss.keys.join(', ')}` : 'the body must be a JSON object') },
);

const ClientsBody = z.strictObject(
  {
    clients: z
      .number({ error: 'clients must be a number' })
      .int('clients must be an integer')
      .min(1, 'clients must be at least 1')
      .max(5000, 'clients must be at most 5,000')
      .default(2000),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field(s): ${iss.keys.join(', ')}` : 'the body must be a JSON object') },
);

/** `/lab/v1/pooling`: a PgBouncer in front of every shard (when installed), its pools, and what transaction pooling breaks. */
export function poolingRoutes(api: ApiRouter, lab: Pick<Lab, 'pooling' | 'workers' | 'config' | 'settings' | 'updateSettings'>): void {
  const tag = 'lab: pooling';
  const status = async () => ({
    ...(await lab.pooling.status()),
    install_hint: lab.pooling.binary ? null : INSTALL_HINT,
    last_clients: lab.pooling.clientsResult(),
    last_statements: lab.pooling.statements.last(),
  });
  const statementsHost: StatementsHost = {
    mode: () => lab.pooling.mode,
    version: () => lab.pooling.version,
    prepared: () => lab.settings.get().prepared_statements,
    setPrepared: async (on) => void (await lab.updateSettings({ prepared_statements: on })),
  };

  api.add(
    {
      method: 'get',
      path: '/pooling',
      tag,
      summary: 'PgBouncer: installed or not, the pool mode, and per shard its client and server connections (SHOW POOLS, SHOW STATS)',
      responses: { 200: { description: 'the pooling status', schema: PoolingStatusSchema } },
    },
    async ({ res }) => {
      res.json(await status());
    },
  );

  api.add(
    {
      method: 'put',
      path: '/pooling',
      tag,
      summary: "Put a PgBouncer in front of every shard (session or transaction mode) and route the API's queries through it, or turn it off",
      body: SetBody,
      bodyName: 'pooling',
      responses: {
        200: { description: 'the pooling status now', schema: PoolingStatusSchema },
        409: { description: 'pgbouncer_missing: not installed (the message says what to install); not_available: external shards or prefork workers' },
      },
    },
    async ({ res, body }) => {
      if (body.mode !== 'off' && lab.workers > 1) {
        throw new ApiError(409, 'not_available', 'PgBouncer routing covers one API process; start the lab without LAB_WORKERS to use it.');
      }
      await lab.pooling.set(body.mode, body.pool_size);
      res.json(await status());
    },
  );

  api.add(
    {
      method: 'post',
      path: '/pooling/demo',
      tag,
      summary: 'Reproduce what transaction pooling breaks (SET, named prepared statements, advisory locks) on the first shard’s PgBouncer',
      responses: { 200: { description: 'each feature: broke or not, what was seen, the fix', schema: PoolingDemoSchema }, 409: { description: 'pooling_off' } },
    },
    async ({ res }) => {
      res.json({ results: await lab.pooling.demonstrate() });
    },
  );

  api.add(
    {
      method: 'post',
      path: '/pooling/clients',
      tag,
      summary:
        'Many clients on the first shard: straight to its server (refused beyond max_connections) and through its PgBouncer (all connected, each runs a query)',
      body: ClientsBody,
      bodyOptional: true,
      bodyName: 'clients request',
      responses: { 200: { description: 'what each way did', schema: PoolingClientsSchema }, 409: { description: 'pooling_off' } },
    },
    async ({ res, body }) => {
      res.json(await lab.pooling.manyClients(body.clients));
    },
  );

  api.add(
    {
      method: 'post',
      path: '/pooling/statements',
      tag,
      summary:
        "The API's named prepared statements under the current pool mode: the same create-read-delete requests with them named, then unnamed (the setting is put back)",
      body: StatementsBody,
      bodyOptional: true,
      bodyName: 'statements request',
      responses: {
        200: { description: 'failed requests and the first error, named against unnamed', schema: PoolingStatementsSchema },
        409: { description: 'pooling_off: start PgBouncer first; trial_running: one at a time' },
      },
    },
    async ({ req, res, body }) => {
      res.json(await lab.pooling.statements.run(statementsHost, SelfClient.from(req, lab.config.token), body.requests));
    },
  );
}
