import { describe, expect, it } from 'vitest';
import type { ClientsResult } from '../../pooling/pooling.js';
import { judgePooledClients, pooledClients } from './pooled-clients.js';

const run = (connected: number, servers: number): ClientsResult => ({
  clients: 1000,
  mode: 'transaction',
  max_connections: 200,
  direct: { tried: 250, connected: 197, refused: 53, error: 'sorry, too many clients already' },
  pooled: {
    connected,
    refused: 1000 - connected,
    queries_ok: connected,
    queries_failed: 0,
    server_connections: servers,
    error: connected < 1000 ? 'timeout' : null,
    ms: 900,
  },
});

describe('pooled-clients', () => {
  it('holds when every client is served on no more server connections than claimed', () => {
    const spec = pooledClients.spec.parse({ kind: 'pooled-clients', clients: 1000, claimed_server_connections: 50 });
    expect(judgePooledClients(spec, run(1000, 12))).toEqual({
      measured:
        "1,000 of 1,000 clients connected to shard-0's PgBouncer (transaction mode) and 1,000 answered while all stayed connected, on 12 server connections. Straight to the server (max_connections 200): 197 of 250 connected.",
      verdict: 'holds',
      why: 'All 1,000 clients were served on 12 server connections, against 50 claimed.',
    });
    expect(judgePooledClients(spec, run(1000, 60)).verdict).toBe('fails');
    expect(judgePooledClients(spec, run(990, 12))).toMatchObject({ verdict: 'fails', why: '10 clients were not served: timeout.' });
    expect(pooledClients.runs!(spec)).toMatch(/^Opens 1,000 clients on shard-0/);
    expect(pooledClients.spec.safeParse({ kind: 'pooled-clients', clients: 1000 }).success).toBe(false);
  });
});
