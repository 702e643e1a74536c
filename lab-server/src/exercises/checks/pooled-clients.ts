import { z } from 'zod';
import type { ClientsResult } from '../../pooling/pooling.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import { fmt } from './format.js';
import { poolingView } from './pooling-view.js';

const spec = z.strictObject({
  kind: z.literal('pooled-clients'),
  mode: z.enum(['session', 'transaction']),
  clients_at_least: z.number().int().min(1),
});
type PooledClientsSpec = z.output<typeof spec>;

const RUN_ONE = 'Press “Open them” in the pooling panel, or run `pooling clients N` in the terminal.';

/** The last many-clients run: enough clients, in that mode, every one connected and answered through PgBouncer, more than the server would take directly. */
export function judgePooledClients(s: PooledClientsSpec, mode: string, r: ClientsResult | null): CheckResult {
  if (mode !== s.mode)
    return fail(
      `Pooling is ${mode === 'off' ? 'off' : `in ${mode} mode`}; this step needs ${s.mode} mode. Pick it in the pooling panel, or run \`pooling mode ${s.mode}\`.`,
    );
  if (!r) return fail(`No clients opened in ${s.mode} mode yet. ${RUN_ONE}`);
  const seen = `${fmt(r.pooled.connected)} of ${fmt(r.clients)} clients connected through PgBouncer and ${fmt(r.pooled.queries_ok)} answered, on ${fmt(r.pooled.server_connections)} server connections; straight to the server ${fmt(r.direct.refused)} of ${fmt(r.direct.tried)} were refused.`;
  if (r.clients < s.clients_at_least) return fail(`${seen} This step needs at least ${fmt(s.clients_at_least)} clients: open more.`);
  if (r.pooled.connected < r.clients || r.pooled.queries_ok < r.clients)
    return fail(`${seen} Every client must connect and answer${r.pooled.error ? ` (first failure: ${r.pooled.error})` : ''}.`);
  if (r.clients <= r.max_connections)
    return fail(`${seen} Open more clients than the server's max_connections (${fmt(r.max_connections)}), so going straight would be refused.`);
  return pass(seen);
}

/** The last many-clients run served at least that many clients through PgBouncer in that mode. */
export const pooledClients: CheckKind<PooledClientsSpec> = {
  kind: 'pooled-clients',
  spec,
  async run(s, ctx) {
    const view = await poolingView(ctx);
    return typeof view === 'string' ? fail(view) : judgePooledClients(s, view.mode, view.last_clients);
  },
};
