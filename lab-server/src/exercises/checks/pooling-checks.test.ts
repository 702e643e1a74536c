import { describe, expect, it } from 'vitest';
import type { ClientsResult } from '../../pooling/pooling.js';
import { tracksPreparedStatements, type StatementsTrial } from '../../pooling/statements-trial.js';
import { judgeNamedStatements } from './named-statements.js';
import { judgePooledClients } from './pooled-clients.js';

const clients = (n: number, connected = n): ClientsResult => ({
  clients: n,
  mode: 'transaction',
  max_connections: 200,
  direct: { tried: 250, connected: 197, refused: 53, error: 'sorry, too many clients already' },
  pooled: { connected, refused: n - connected, queries_ok: connected, queries_failed: 0, server_connections: 10, error: null, ms: 900 },
});
const trial = (namedFailed: number, unnamedFailed = 0): StatementsTrial => ({
  finished_at: '2026-01-01T00:00:00.000Z',
  mode: 'transaction',
  pgbouncer_version: '1.18.0',
  tracks_prepared_statements: false,
  concurrency: 8,
  results: [
    { statements: 'named', requests: 300, failed: namedFailed, error: namedFailed ? 'prepared statement "users.find" does not exist' : null, ms: 800 },
    { statements: 'unnamed', requests: 300, failed: unnamedFailed, error: null, ms: 820 },
  ],
});

describe('pooling checks', () => {
  it('pooled-clients: needs the mode, a run of enough clients beyond max_connections, every one served', () => {
    const s = { kind: 'pooled-clients' as const, mode: 'transaction' as const, clients_at_least: 1000 };
    expect(judgePooledClients(s, 'off', clients(2000)).message).toMatch(/^Pooling is off; this step needs transaction mode/);
    expect(judgePooledClients(s, 'transaction', null).message).toMatch(/^No clients opened in transaction mode yet/);
    expect(judgePooledClients(s, 'transaction', clients(400)).message).toMatch(/needs at least 1,000 clients/);
    expect(judgePooledClients(s, 'transaction', clients(2000, 1900)).message).toMatch(/Every client must connect/);
    expect(judgePooledClients({ ...s, clients_at_least: 100 }, 'transaction', clients(150)).message).toMatch(
      /more clients than the server's max_connections \(200\)/,
    );
    expect(judgePooledClients(s, 'transaction', clients(2000))).toEqual({
      passed: true,
      message:
        '2,000 of 2,000 clients connected through PgBouncer and 2,000 answered, on 10 server connections; straight to the server 53 of 250 were refused.',
    });
  });

  it('named-statements: transaction mode, named failures, no unnamed ones, and with fixed the setting off', () => {
    const s = { kind: 'named-statements' as const, fixed: false };
    expect(judgeNamedStatements(s, 'session', trial(5), true).message).toMatch(/in session mode; this step needs transaction mode/);
    expect(judgeNamedStatements(s, 'transaction', null, true).message).toMatch(/^No statements trial/);
    expect(judgeNamedStatements(s, 'transaction', trial(0), true).message).toMatch(/No named statement went missing/);
    expect(judgeNamedStatements(s, 'transaction', trial(5, 2), true).message).toMatch(/Unnamed requests failed too/);
    expect(judgeNamedStatements(s, 'transaction', trial(86), true)).toEqual({
      passed: true,
      message: 'Named: 86 of 300 requests failed; unnamed: 0 of 300.',
    });
    expect(judgeNamedStatements({ ...s, fixed: true }, 'transaction', trial(86), true).message).toMatch(/still names its statements/);
    expect(judgeNamedStatements({ ...s, fixed: true }, 'transaction', trial(86), false).passed).toBe(true);
  });

  it('knows which PgBouncer can track named statements itself (1.21 and later)', () => {
    expect(['1.18.0', '1.20.1', '1.21.0', '1.24.1', '2.0', null].map((v) => tracksPreparedStatements(v))).toEqual([false, false, true, true, true, false]);
  });
});
