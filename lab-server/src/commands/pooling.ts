import { z } from 'zod';
import { get, post, request } from './api.js';
import { noArgs, positionals, wholeNumber } from './args.js';
import { defineCommand } from './command.js';
import { formatTable } from './format.js';

const Status = z.object({
  version: z.string().nullable(),
  install_hint: z.string().nullable(),
  mode: z.string(),
  pool_size: z.number().nullable(),
  bouncers: z.array(
    z.object({
      shard: z.string(),
      port: z.number(),
      pid: z.number().nullable(),
      clients_active: z.number(),
      clients_waiting: z.number(),
      servers_active: z.number(),
      servers_idle: z.number(),
      queries: z.number(),
    }),
  ),
});
const Demo = z.object({ results: z.array(z.object({ feature: z.string(), mode: z.string(), broke: z.boolean(), observed: z.string(), fix: z.string() })) });

function render(s: z.output<typeof Status>): string {
  if (s.install_hint) return s.install_hint;
  if (s.mode === 'off') return `PgBouncer ${s.version ?? ''} is installed; pooling is off (the API connects straight to the shards).`;
  return [
    `PgBouncer ${s.version ?? ''} in ${s.mode} mode, ${s.pool_size} server connections per shard`,
    formatTable(
      ['shard', 'port', 'pid', 'clients active', 'waiting', 'servers active', 'idle', 'queries'],
      s.bouncers.map((b) => [b.shard, b.port, b.pid ?? '-', b.clients_active, b.clients_waiting, b.servers_active, b.servers_idle, b.queries]),
    ),
  ].join('\n');
}

export const show = defineCommand({
  name: 'pooling',
  usage: 'pooling',
  summary: 'PgBouncer in front of the shards: installed or not, the mode, client and server connections per shard',
  args: noArgs,
  async run(_args, ctx) {
    const s = await get(ctx.lab, '/lab/v1/pooling', Status);
    return { data: s, text: render(s) };
  },
});

export const set = defineCommand({
  name: 'pooling mode',
  usage: 'pooling mode off|session|transaction [POOL_SIZE]',
  summary: "start one PgBouncer per shard in that mode (or stop them) and route the API's queries through it",
  args: z.object({
    _: positionals([z.enum(['off', 'session', 'transaction'], { error: 'MODE must be off, session or transaction' }), wholeNumber('POOL_SIZE', 2).optional()]),
  }),
  complete: (index) => (index === 0 ? ['off', 'session', 'transaction'] : []),
  async run({ _: [mode, size] }, ctx) {
    const s = (await request(ctx.lab, 'PUT', '/lab/v1/pooling', Status, { mode, ...(size === undefined ? {} : { pool_size: size }) })).body;
    return { data: s, text: render(s) };
  },
});

export const demo = defineCommand({
  name: 'pooling demo',
  usage: 'pooling demo',
  summary: 'reproduce what transaction pooling breaks (SET, named prepared statements, advisory locks), with the fix for each',
  args: noArgs,
  async run(_args, ctx) {
    const d = await post(ctx.lab, '/lab/v1/pooling/demo', Demo);
    const text = d.results.map((r) => `${r.broke ? 'BROKE' : 'works'}  ${r.feature} (${r.mode} mode): ${r.observed}\n       fix: ${r.fix}`).join('\n');
    return { data: d, text };
  },
});

const Clients = z.object({
  clients: z.number(),
  mode: z.string(),
  max_connections: z.number(),
  direct: z.object({ tried: z.number(), connected: z.number(), refused: z.number(), error: z.string().nullable() }),
  pooled: z.object({
    connected: z.number(),
    refused: z.number(),
    queries_ok: z.number(),
    queries_failed: z.number(),
    server_connections: z.number(),
    error: z.string().nullable(),
    ms: z.number(),
  }),
});

export const clients = defineCommand({
  name: 'pooling clients',
  usage: 'pooling clients [N]',
  summary: 'open N clients (2000) on the first shard: straight to its server, then through its PgBouncer; who got in',
  args: z.object({ _: positionals([wholeNumber('N', 1).optional()]) }),
  async run({ _: [n] }, ctx) {
    const r = await post(ctx.lab, '/lab/v1/pooling/clients', Clients, n === undefined ? {} : { clients: n });
    const text = [
      `max_connections = ${r.max_connections}`,
      `straight to the server: ${r.direct.connected} of ${r.direct.tried} connected, ${r.direct.refused} refused${r.direct.error ? ` (${r.direct.error})` : ''}`,
      `through PgBouncer (${r.mode} mode): ${r.pooled.connected} of ${r.clients} connected, ${r.pooled.queries_ok} queries answered while all stayed connected, on ${r.pooled.server_connections} server connections, in ${r.pooled.ms} ms${r.pooled.error ? ` (${r.pooled.error})` : ''}`,
    ].join('\n');
    return { data: r, text };
  },
});

const Statements = z.object({
  mode: z.string(),
  pgbouncer_version: z.string().nullable(),
  tracks_prepared_statements: z.boolean(),
  results: z.array(z.object({ statements: z.string(), requests: z.number(), failed: z.number(), error: z.string().nullable(), ms: z.number() })),
});

export const statements = defineCommand({
  name: 'pooling statements',
  usage: 'pooling statements [N]',
  summary: "N API requests (300) with the API's statements named, then unnamed, under the current pool mode: how many failed, and why",
  args: z.object({ _: positionals([wholeNumber('N', 3).optional()]) }),
  async run({ _: [n] }, ctx) {
    const r = await post(ctx.lab, '/lab/v1/pooling/statements', Statements, n === undefined ? {} : { requests: n });
    const text = [
      `${r.mode} mode, PgBouncer ${r.pgbouncer_version ?? '?'} (${r.tracks_prepared_statements ? 'can track named statements: max_prepared_statements' : 'cannot track named statements: that needs 1.21 or later'})`,
      ...r.results.map(
        (x) => `${x.statements.padEnd(8)} ${x.failed} of ${x.requests} requests failed in ${x.ms} ms${x.error ? `\n         first: ${x.error}` : ''}`,
      ),
    ].join('\n');
    return { data: r, text };
  },
});
