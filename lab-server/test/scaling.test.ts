import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectPgBouncer, findPgBouncer } from '../src/pooling/pgbouncer.js';
import { tracksPreparedStatements } from '../src/pooling/statements-trial.js';
import { queryServer, startEmbeddedTestLab, type ErrorReply, type TestLab } from './support/lab.js';
import { terminalLine } from './support/terminal.js';

// The Database scaling chapter's parts on one 2-shard cluster, shared by every test here:
// - PgBouncer in front of every shard: started by the lab, the API's queries through it, what transaction
//   pooling breaks reproduced, and every PgBouncer stopped by its own pid. PgBouncer is optional (.ci/run
//   installs it); without the binary those tests cannot run, and say so.
// - Cache-aside for users by id: off by default; without invalidation a reader sees the old row after its own
//   update until the entry expires, with invalidation it never does; the trial measures both.
// - The ladder: the same load test run twice on each of the six rungs, with medians, spread and ratios, and the lab
//   put back afterwards (the list's index created again, the added shard drained away).

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
if (!binary) console.warn('scaling.test.ts: the PgBouncer tests skipped: no pgbouncer binary (install it: apt-get install -y pgbouncer; .ci/run does).');

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

let t: TestLab;
beforeAll(async () => {
  t = await startEmbeddedTestLab(2);
});
afterAll(async () => {
  await t?.call('PUT', '/lab/v1/cache', { mode: 'off' });
  await t?.stop();
});

describe.skipIf(!binary)('PgBouncer in front of every shard', () => {
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
    // A pool knob changed while pooling is on keeps the API on PgBouncer, and a per-client startup setting
    // (the idle-in-transaction timeout) does not make PgBouncer refuse the API's connections.
    const port0 = (await status()).bouncers[0]!.port;
    const knobs = await t.call('PUT', '/lab/v1/settings', { idle_in_transaction_timeout_ms: 60_000, prepared_statements: false });
    expect(knobs.status, JSON.stringify(knobs.body)).toBe(200);
    expect(t.running.lab.cluster.byName('shard-0')!.pool.options.connectionString).toContain(`:${port0}/`);
    for (let i = 0; i < 4; i++) expect((await t.call('POST', '/api/v1/users', { first_name: 'Knob', last_name: `Pooled${i}` })).status).toBe(201);
    await t.call('PUT', '/lab/v1/settings', { idle_in_transaction_timeout_ms: 0, prepared_statements: true });
    const locks = await queryServer<{ n: number }>(
      t.running.lab.cluster.byName('shard-0')!.url,
      "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'",
    );
    expect(locks[0]!.n).toBe(0);
  });

  it('any chapter’s reset stops PgBouncers left on, so transaction pooling does not leak into the next chapter', async () => {
    expect((await t.call('PUT', '/lab/v1/pooling', { mode: 'transaction', pool_size: 10 })).status).toBe(200);
    const pids = (await status()).bouncers.map((b) => b.pid!);
    const reset = await t.call<{ steps: { detail: string }[] }>('POST', '/lab/v1/chapters/overview/reset');
    expect(reset.status, JSON.stringify(reset.body)).toBe(200);
    expect(reset.body.steps.at(-1)!.detail).toMatch(/^Stopped the PgBouncers left on \(transaction mode\)\./);
    expect((await status()).mode).toBe('off');
    expect(pids.some(alive)).toBe(false);
    // On again, for the next test to turn off.
    expect((await t.call('PUT', '/lab/v1/pooling', { mode: 'transaction', pool_size: 10 })).status).toBe(200);
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

interface CacheReply {
  mode: string;
  ttl_s: number;
  entries: number;
  hits: number;
  misses: number;
  invalidations: number;
  last_trial: TrialReply | null;
}
interface TrialReply {
  users: number;
  rounds: number;
  results: { mode: string; reads: number; hits: number; misses: number; hit_percent: number; updates: number; stale_reads: number; errors: number }[];
}

const cache = async () => (await t.call<CacheReply>('GET', '/lab/v1/cache')).body;

describe('cache-aside for users by id', () => {
  it('is off after any chapter’s reset, so a cache left on does not answer the next chapter’s reads', async () => {
    expect((await t.call('PUT', '/lab/v1/cache', { mode: 'invalidate', ttl_s: 60 })).status).toBe(200);
    const reset = await t.call<{ steps: { detail: string }[] }>('POST', '/lab/v1/chapters/overview/reset');
    expect(reset.body.steps.at(-1)!.detail).toMatch(/Turned off the users cache left on \(invalidate\)\./);
    expect((await t.call<{ mode: string }>('GET', '/lab/v1/cache')).body.mode).toBe('off');
  });

  it('is off at start; bad input is a 4xx and changes nothing', async () => {
    expect(await cache()).toMatchObject({ mode: 'off', entries: 0, last_trial: null });
    for (const body of [{ mode: 'lru' }, { mode: 'invalidate', ttl_s: 0 }, { mode: 'invalidate', extra: 1 }, {}]) {
      expect((await t.call<ErrorReply>('PUT', '/lab/v1/cache', body)).status, JSON.stringify(body)).toBe(400);
    }
    expect((await t.call<ErrorReply>('POST', '/lab/v1/cache/trial', { users: 0 })).status).toBe(400);
    expect((await cache()).mode).toBe('off');
  });

  it('without invalidation a reader sees its update only after expiry; with it at once', async () => {
    const user = (await t.call<{ id: string }>('POST', '/api/v1/users', { first_name: 'Cache', last_name: 'Before' })).body;
    const rename = async (last_name: string) => (await t.call('PUT', `/api/v1/users/${user.id}`, { last_name })).status;
    const read = async () => (await t.call<{ last_name: string }>('GET', `/api/v1/users/${user.id}`)).body.last_name;

    expect((await t.call('PUT', '/lab/v1/cache', { mode: 'ttl-only', ttl_s: 600 })).status).toBe(200);
    expect(await read()).toBe('Before');
    expect(await rename('After')).toBe(200);
    expect(await read()).toBe('Before');
    expect(await cache()).toMatchObject({ mode: 'ttl-only', entries: 1, hits: 1, misses: 1, invalidations: 0 });

    expect((await t.call('PUT', '/lab/v1/cache', { mode: 'invalidate', ttl_s: 600 })).status).toBe(200);
    expect(await read()).toBe('After');
    expect(await rename('Again')).toBe(200);
    expect(await read()).toBe('Again');
    expect(await cache()).toMatchObject({ mode: 'invalidate', hits: 0, misses: 2, invalidations: 1 });
    expect((await t.call('DELETE', `/api/v1/users/${user.id}`)).status).toBe(204);
    expect((await t.call('GET', `/api/v1/users/${user.id}`)).status).toBe(404);
  });

  it('the trial: a high hit ratio both ways (lower with invalidation), every read after an update stale without invalidation and none with it', async () => {
    const before = await cache();
    const users = async () => (await t.call<{ total_users: number }>('GET', '/api/v1/shards/stats')).body.total_users;
    const usersBefore = await users();
    const r = await t.call<TrialReply>('POST', '/lab/v1/cache/trial', { users: 10, rounds: 6 });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const [ttl, inv] = r.body.results;
    // 10 users × 6 rounds, plus one read back per round; the first round misses every user.
    expect(ttl).toMatchObject({ mode: 'ttl-only', reads: 66, misses: 10, hits: 56, updates: 6, stale_reads: 6, errors: 0 });
    expect(inv).toMatchObject({ mode: 'invalidate', reads: 66, misses: 16, hits: 50, updates: 6, stale_reads: 0, errors: 0 });
    const after = await cache();
    expect(after).toMatchObject({ mode: before.mode, last_trial: r.body });
    // The trial deletes the users it made.
    expect(await users()).toBe(usersBefore);
    expect(await terminalLine(t.url, 'cache')).toMatch(/invalidate +\| +66 +\| +50 +\| +75\.8 % +\| +0 of 6/);
    // Turning the cache on keeps the trial (the learner's next step); a chapter reset forgets it.
    await t.call('PUT', '/lab/v1/cache', { mode: 'invalidate' });
    expect((await cache()).last_trial).toEqual(r.body);
    expect((await t.call('DELETE', '/lab/v1/cache/trial')).status).toBe(204);
    expect((await cache()).last_trial).toBeNull();
  });
});

interface LadderReply {
  state: string;
  current: string | null;
  steps: {
    rung: string;
    setup: string[];
    skipped: string | null;
    requests: number;
    errors: number;
    requests_per_s: number;
    p99_ms: number | null;
    rps_ratio: number | null;
    runs_rps: number[];
    spread_percent: number | null;
    within_noise: boolean | null;
    replica_reads: number;
    stale_reads: number;
    lag_bytes_max: number | null;
  }[];
  notes: string[];
  error: string | null;
}

describe('the scaling ladder, climbed in one run', () => {
  const ladder = async () => (await t.call<LadderReply>('GET', '/lab/v1/ladder')).body;

  it('refuses bad input with a 4xx and starts nothing', async () => {
    for (const body of [
      { rungs: ['baseline'] },
      { rungs: ['baseline', 'elevator'] },
      { rungs: ['cache', 'cache'] },
      { duration_s: 1 },
      { repeats: 0 },
      { extra: 1 },
    ]) {
      expect((await t.call<ErrorReply>('POST', '/lab/v1/ladder', body)).status, JSON.stringify(body)).toBe(400);
    }
    expect((await ladder()).state).toBe('idle');
  });

  it('measures each rung twice with medians, spread and ratios against the first, counts replica reads and lag, and puts the lab back', async () => {
    const settings = async () => (await t.call<{ read_policy: string; prepared_statements: boolean }>('GET', '/lab/v1/settings')).body;
    const before = await settings();
    const cacheMode = async () => (await t.call<{ mode: string }>('GET', '/lab/v1/cache')).body.mode;
    const cacheBefore = await cacheMode();
    const listIndex = async () =>
      Promise.all(
        t.running.lab.cluster.shards.map(
          async (s) => (await queryServer<{ n: string }>(s.url, "SELECT count(*) AS n FROM pg_indexes WHERE indexname = 'idx_users_created_at'"))[0]!.n,
        ),
      );
    expect(await listIndex()).toEqual(['1', '1']);
    // Given out of order: the climb takes the ladder's.
    const started = await t.call<LadderReply>('POST', '/lab/v1/ladder', {
      rungs: ['shards', 'cache', 'pooling', 'replicas', 'indexes', 'baseline'],
      duration_s: 2,
      repeats: 2,
      connections: 8,
      warmup_s: 0,
    });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect((await t.call<ErrorReply>('POST', '/lab/v1/ladder', {})).status).toBe(409);
    let v = await ladder();
    while (v.state === 'running') {
      await new Promise((r) => setTimeout(r, 500));
      v = await ladder();
    }
    expect(v.state, JSON.stringify(v)).toBe('finished');
    const rungs = binary ? ['baseline', 'indexes', 'replicas', 'pooling', 'cache', 'shards'] : ['baseline', 'indexes', 'replicas', 'cache', 'shards'];
    expect(v.steps.filter((s) => !s.skipped).map((s) => s.rung)).toEqual(rungs);
    const [first] = v.steps;
    expect(first).toMatchObject({ rung: 'baseline', rps_ratio: 1, setup: ['no list index'], replica_reads: 0, lag_bytes_max: null, within_noise: null });
    for (const s of v.steps.filter((x) => !x.skipped)) {
      expect(s.requests, s.rung).toBeGreaterThan(0);
      // Transaction pooling with the API's statements unnamed, replicas under read-your-writes, the cache invalidated on write: nothing fails.
      expect(s.errors, JSON.stringify(s)).toBe(0);
      expect(s.rps_ratio, s.rung).toBeGreaterThan(0);
      // Two runs per rung: the median between them, and how far apart they were.
      expect(s.runs_rps, s.rung).toHaveLength(2);
      expect(Math.abs(s.requests_per_s - (s.runs_rps[0]! + s.runs_rps[1]!) / 2), JSON.stringify(s)).toBeLessThanOrEqual(1);
      expect(s.spread_percent).not.toBeNull();
      if (s !== first) expect(typeof s.within_noise).toBe('boolean');
    }
    const step = (rung: string) => v.steps.find((s) => s.rung === rung)!;
    expect(step('indexes').setup).toEqual(['nothing: primaries only']);
    const replicas = step('replicas');
    expect(replicas.setup).toContain('2 replicas');
    expect(replicas.replica_reads).toBeGreaterThan(0);
    expect(replicas.stale_reads).toBe(0);
    expect(replicas.lag_bytes_max).not.toBeNull();
    if (binary) expect(step('pooling').setup).toEqual(expect.arrayContaining(['PgBouncer transaction mode', 'unnamed statements', '2 replicas']));
    expect(step('shards').setup).toContain('3 shards');
    // Put back: the list's index on every shard, two shards again, no PgBouncer, the cache and the settings as they were, no replica left.
    expect(await listIndex()).toEqual(['1', '1']);
    expect((await t.call<{ mode: string }>('GET', '/lab/v1/pooling')).body.mode).toBe('off');
    expect(await cacheMode()).toBe(cacheBefore);
    expect(await settings()).toMatchObject(before);
    const topo = (await t.call<{ shards: { replicas: unknown[] }[] }>('GET', '/lab/v1/topology')).body;
    expect(topo.shards, JSON.stringify(v.notes)).toHaveLength(2);
    expect(
      topo.shards.every((s) => s.replicas.length === 0),
      JSON.stringify([v.notes, topo]),
    ).toBe(true);
    expect(v.notes.at(-1)).toMatch(/^put back: idx_users_created_at created again; shard-2 drained and removed; /);
    expect(await terminalLine(t.url, 'ladder')).toMatch(/baseline +\| no list index +\| +[\d,]+ +\| 1\.00× +\| [\d,]+ · [\d,]+ \(spread [\d.]+ %\)/);
  });
});
