import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectPgBouncer, findPgBouncer } from '../src/pooling/pgbouncer.js';
import { tracksPreparedStatements } from '../src/pooling/statements-trial.js';
import { queryServer, startEmbeddedTestLab, type ErrorReply, type TestLab } from './support/lab.js';
import { terminalLine } from './support/terminal.js';

// PgBouncer in front of every shard: started by the lab, the API's queries through it, what transaction
// pooling breaks reproduced, and every PgBouncer stopped by its own pid. PgBouncer is optional (.ci/run
// installs it); without the binary these tests cannot run, and say so.

interface Status {
  binary: string | null;
  mode: string;
  pool_size: number | null;
  install_hint: string | null;
  bouncers: { shard: string; port: number; pid: number | null; clients_active: number; servers_active: number; servers_idle: number; queries: number }[];
}
interface StatementsTrial {
  mode: string;
  pgbouncer_version: string | null;
  tracks_prepared_statements: boolean;
  results: { statements: string; requests: number; failed: number; error: string | null }[];
}
interface Demo {
  results: { feature: string; mode: string; broke: boolean; observed: string; fix: string }[];
}

const binary = findPgBouncer();
// Whether the installed PgBouncer could track named statements itself (1.21+): Debian 12 ships 1.18.
const binaryTracks = tracksPreparedStatements(binary ? detectPgBouncer().version : null);
if (!binary) console.warn('pooling.test.ts skipped: no pgbouncer binary (install it: apt-get install -y pgbouncer; .ci/run does).');

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe.skipIf(!binary)('PgBouncer in front of every shard', () => {
  let t: TestLab;
  beforeAll(async () => {
    t = await startEmbeddedTestLab(2);
  });
  afterAll(async () => t?.stop());

  const status = async () => (await t.call<Status>('GET', '/lab/v1/pooling')).body;

  it('is off at start, and refuses bad input with a 4xx, changing nothing', async () => {
    expect(await status()).toMatchObject({ binary, mode: 'off', bouncers: [], install_hint: null });
    for (const body of [{ mode: 'statement' }, { mode: 'session', pool_size: 1 }, { mode: 'session', pool_size: 500 }, { mode: 'session', extra: 1 }, {}]) {
      const r = await t.call<ErrorReply>('PUT', '/lab/v1/pooling', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
    }
    const demo = await t.call<ErrorReply>('POST', '/lab/v1/pooling/demo');
    expect(demo.status).toBe(409);
    expect(demo.body.error.message).toMatch(/Pooling is off/);
    expect((await status()).mode).toBe('off');
  });

  it("measures the chapter's pooling claims on real PgBouncers, started for the measurement and stopped again", async () => {
    const claim = (id: string) =>
      t.call<{ measured: string; verdict: string; why: string }>('POST', `/lab/v1/chapters/database-scaling/claims/${id}/measure`, {});
    const clients = await claim('pooled-clients');
    expect(clients.status, JSON.stringify(clients.body)).toBe(200);
    expect(clients.body.verdict, clients.body.why).toBe('holds');
    expect(clients.body.measured).toMatch(/^1,000 of 1,000 clients connected/);
    const statements = await claim('prepared-off');
    expect(statements.status, JSON.stringify(statements.body)).toBe(200);
    expect(statements.body.verdict, `${statements.body.measured} ${statements.body.why}`).toBe('holds');
    expect(statements.body.measured).toMatch(/unnamed, 0 of \d+\.$/);
    // Pooling was off before, so it is off again, and the setting is back.
    expect(await status()).toMatchObject({ mode: 'off', bouncers: [] });
    expect((await t.call<{ prepared_statements: boolean }>('GET', '/lab/v1/settings')).body.prepared_statements).toBe(true);
  });

  it('session mode: the API works through one PgBouncer per shard, and nothing breaks', async () => {
    const on = await t.call<Status>('PUT', '/lab/v1/pooling', { mode: 'session', pool_size: 5 });
    expect(on.status, JSON.stringify(on.body)).toBe(200);
    expect(on.body).toMatchObject({ mode: 'session', pool_size: 5 });
    expect(on.body.bouncers.map((b) => b.shard)).toEqual(['shard-0', 'shard-1']);
    const created = await t.call<{ id: string }>('POST', '/api/v1/users', { first_name: 'Pooled', last_name: 'Session' });
    expect(created.status).toBe(201);
    expect((await t.call('GET', `/api/v1/users/${created.body.id}`)).status).toBe(200);
    // The shard's server sees PgBouncer's connections; PgBouncer counts the queries it carried.
    const after = await status();
    expect(after.bouncers.reduce((n, b) => n + b.queries, 0)).toBeGreaterThan(0);
    const shard0 = t.running.lab.cluster.byName('shard-0')!;
    expect(shard0.pool.options.connectionString).toContain(`:${after.bouncers[0]!.port}/`);
    const demo = await t.call<Demo>('POST', '/lab/v1/pooling/demo');
    expect(demo.body.results.map((r) => [r.feature, r.broke])).toEqual([
      ['SET (session settings)', false],
      ['named prepared statements', false],
      ['session advisory locks', false],
    ]);
    // Session pooling keeps each API connection on its server connection, so its named statements never go
    // missing (requests beyond the pool's 5 server connections may wait too long, which is session pooling's own limit).
    const trial = await t.call<StatementsTrial>('POST', '/lab/v1/pooling/statements', { requests: 60 });
    expect(trial.status, JSON.stringify(trial.body)).toBe(200);
    expect(trial.body.results.map((r) => r.statements)).toEqual(['named', 'unnamed']);
    for (const r of trial.body.results) expect(r.error ?? '', JSON.stringify(r)).not.toMatch(/prepared statement/);
  });

  it('transaction mode: SET leaks, named prepared statements and advisory locks break — each reproduced', async () => {
    const before = (await status()).bouncers.map((b) => b.pid!);
    const on = await t.call<Status>('PUT', '/lab/v1/pooling', { mode: 'transaction', pool_size: 5 });
    expect(on.body.mode).toBe('transaction');
    // The session-mode PgBouncers were stopped by their pids before the new ones started.
    for (const pid of before) expect(alive(pid)).toBe(false);
    const demo = (await t.call<Demo>('POST', '/lab/v1/pooling/demo')).body.results;
    expect(demo.map((r) => [r.feature, r.mode, r.broke])).toEqual([
      ['SET (session settings)', 'transaction', true],
      ['named prepared statements', 'transaction', true],
      ['session advisory locks', 'transaction', true],
    ]);
    expect(demo[0]!.observed).toMatch(/sees 4MB; B, on A's old server connection, sees 7MB/);
    expect(demo[1]!.observed).toMatch(/prepared statement "demo_statement" does not exist/);
    // The demonstration left no advisory lock behind on the shard.
    // More clients than the shard allows connections: straight, PostgreSQL refuses some; through PgBouncer all connect and query.
    const many = await t.call<{
      max_connections: number;
      direct: { tried: number; connected: number; refused: number; error: string };
      pooled: { connected: number; refused: number; queries_ok: number; server_connections: number };
    }>('POST', '/lab/v1/pooling/clients', { clients: 400 });
    expect(many.status, JSON.stringify(many.body)).toBe(200);
    const max = many.body.max_connections;
    expect(many.body.direct.tried).toBe(Math.min(400, max + 50));
    expect(many.body.direct.connected).toBeLessThan(max);
    expect(many.body.direct.refused).toBe(many.body.direct.tried - many.body.direct.connected);
    expect(many.body.direct.error).toMatch(/too many clients|remaining connection slots/);
    expect(many.body.pooled).toMatchObject({ connected: 400, refused: 0, queries_ok: 400 });
    expect(many.body.pooled.server_connections).toBeLessThanOrEqual(5);
    expect((await t.call<ErrorReply>('POST', '/lab/v1/pooling/clients', { clients: 0 })).status).toBe(400);
    // The API's own named statements: prepared on one server connection, missing on the next (or already there
    // for another client); unnamed, every request works. The setting is put back afterwards.
    const trial = await t.call<StatementsTrial>('POST', '/lab/v1/pooling/statements', { requests: 300 });
    expect(trial.status, JSON.stringify(trial.body)).toBe(200);
    const [named, unnamed] = trial.body.results;
    expect(trial.body).toMatchObject({ mode: 'transaction', tracks_prepared_statements: binaryTracks });
    expect(named!.failed, JSON.stringify(named)).toBeGreaterThan(0);
    expect(named!.error).toMatch(/prepared statement "users\.\w+" (does not exist|already exists)/);
    expect(unnamed).toMatchObject({ statements: 'unnamed', failed: 0, error: null });
    expect((await t.call<{ prepared_statements: boolean }>('GET', '/lab/v1/settings')).body.prepared_statements).toBe(true);
    expect((await t.call<StatementsTrial & { last_statements: unknown }>('GET', '/lab/v1/pooling')).body.last_statements).toEqual(trial.body);
    expect((await t.call<ErrorReply>('POST', '/lab/v1/pooling/statements', { requests: 2 })).status).toBe(400);
    expect(await terminalLine(t.url, 'pooling statements 30')).toMatch(/unnamed +0 of \d+ requests failed/);
    // The terminal (and the CLI, the same command) says the same.
    const said = await terminalLine(t.url, 'pooling demo');
    expect(said).toMatch(/BROKE {2}named prepared statements \(transaction mode\)/);
    expect(said).toMatch(/fix: pg_advisory_xact_lock/);
    expect(await terminalLine(t.url, 'pooling')).toMatch(/PgBouncer \S+ in transaction mode, 5 server connections per shard/);
    const locks = await queryServer<{ n: number }>(
      t.running.lab.cluster.byName('shard-0')!.url,
      "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'",
    );
    expect(locks[0]!.n).toBe(0);
  });

  it('turning it off routes the API straight to the shards again and stops every PgBouncer by its pid', async () => {
    const pids = (await status()).bouncers.map((b) => b.pid!);
    expect(pids).toHaveLength(2);
    const off = await t.call<Status>('PUT', '/lab/v1/pooling', { mode: 'off' });
    expect(off.body).toMatchObject({ mode: 'off', bouncers: [] });
    for (const pid of pids) expect(alive(pid)).toBe(false);
    const shard0 = t.running.lab.cluster.byName('shard-0')!;
    expect(shard0.pool.options.connectionString).toBe(shard0.url);
    expect((await t.call('POST', '/api/v1/users', { first_name: 'Direct', last_name: 'Again' })).status).toBe(201);
  });
});
