import { z } from 'zod';
import { failUnlessOk } from '../../exercises/actions/lab-api.js';
import { fmt } from '../../exercises/checks/format.js';
import type { ClientsResult } from '../../pooling/pooling.js';
import type { Measurement, MeasureKind } from '../measure-kind.js';
import { withTransactionPooling } from './pooled.js';
import { measureSchema } from './spec.js';

const spec = measureSchema('pooled-clients', {
  clients: z.number().int().min(1).max(5000),
  claimed_server_connections: z.number().int().min(2).max(90),
});
type Spec = z.output<typeof spec>;

/** Holds when every client connected and answered through PgBouncer on no more server connections than claimed. */
export function judgePooledClients(s: Spec, r: ClientsResult): Measurement {
  const measured = `${fmt(r.pooled.connected)} of ${fmt(r.clients)} clients connected to shard-0's PgBouncer (transaction mode) and ${fmt(r.pooled.queries_ok)} answered while all stayed connected, on ${fmt(r.pooled.server_connections)} server connections. Straight to the server (max_connections ${fmt(r.max_connections)}): ${fmt(r.direct.connected)} of ${fmt(r.direct.tried)} connected.`;
  const served = r.pooled.connected === r.clients && r.pooled.queries_ok === r.clients;
  const within = r.pooled.server_connections <= s.claimed_server_connections;
  const why = served
    ? `All ${fmt(r.clients)} clients were served on ${fmt(r.pooled.server_connections)} server connections, against ${fmt(s.claimed_server_connections)} claimed${within ? '' : ' — more than claimed'}.`
    : `${fmt(r.clients - Math.min(r.pooled.connected, r.pooled.queries_ok))} clients were not served${r.pooled.error ? `: ${r.pooled.error}` : ''}.`;
  return { measured, verdict: served && within ? 'holds' : 'fails', why };
}

/** Many clients on shard-0 through a transaction-mode PgBouncer whose pool has the claimed number of server connections. */
export const pooledClients: MeasureKind<Spec> = {
  kind: 'pooled-clients',
  spec,
  runs: (s) =>
    `Opens ${fmt(s.clients)} clients on shard-0, straight to its server and then through its PgBouncer in transaction mode (started with ${s.claimed_server_connections} server connections per shard if pooling is not in transaction mode, and put back afterwards).`,
  measure: (s, ctx) =>
    withTransactionPooling(ctx, s.claimed_server_connections, async () => {
      const r = await ctx.api.call<ClientsResult>('POST', '/lab/v1/pooling/clients', { clients: s.clients });
      failUnlessOk(r, 'POST /lab/v1/pooling/clients');
      return judgePooledClients(s, r.body);
    }),
};
