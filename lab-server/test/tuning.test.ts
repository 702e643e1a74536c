import cluster from 'node:cluster';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from './support/cli.js';
import { isAlive } from '../src/cluster/embedded-server.js';
import { Predictions } from '../src/tuning/predictions.js';
import { queryServer, startEmbeddedTestLab, type ErrorReply, type TestLab } from './support/lab.js';

/**
 * The tuning chapter: an allow-list of PostgreSQL parameters changed through the lab (never the console), the
 * knob panel, prefork workers changed live, profiles, top statements, the durability trade-off with a real
 * SIGKILL, and restart-only parameters. One lab with its own embedded shards, so it can kill and restart them.
 */
let t: TestLab;
beforeAll(async () => {
  t = await startEmbeddedTestLab(2);
});
afterAll(async () => t?.stop());

interface Tuning {
  shards: { shard: string; parameters: { name: string; setting: string; source: string; pending_restart: boolean }[] }[];
}
const setting = (body: Tuning, shard: string, name: string) => body.shards.find((s) => s.shard === shard)!.parameters.find((p) => p.name === name)!;
/** As a request's new session on the shard sees it, asked as the lab's own superuser. */
const inForce = async (i: number, name: string) => (await queryServer<{ v: string }>(t.shardUrls[i]!, `SELECT current_setting('${name}') AS v`))[0]!.v;

describe('tuning parameters over the API', () => {
  it('lists the allowed parameters per shard, and sets one on every shard or on the shards named', async () => {
    const list = await t.call<Tuning>('GET', '/lab/v1/tuning/parameters');
    expect(list.status).toBe(200);
    expect(list.body.shards.map((s) => s.shard)).toEqual(['shard-0', 'shard-1']);
    expect(setting(list.body, 'shard-0', 'synchronous_commit').setting).toBe('on');

    const all = await t.call<Tuning>('PUT', '/lab/v1/tuning/parameters/synchronous_commit', { value: 'off' });
    expect(all.status).toBe(200);
    expect([await inForce(0, 'synchronous_commit'), await inForce(1, 'synchronous_commit')]).toEqual(['off', 'off']);

    const one = await t.call<Tuning>('PUT', '/lab/v1/tuning/parameters/work_mem', { value: '32MB', shards: ['shard-1'] });
    expect(one.body.shards.map((s) => s.shard)).toEqual(['shard-1']);
    expect([await inForce(0, 'work_mem'), await inForce(1, 'work_mem')]).toEqual(['4MB', '32MB']);

    for (const name of ['synchronous_commit', 'work_mem']) expect((await t.call('PUT', `/lab/v1/tuning/parameters/${name}`, { value: null })).status).toBe(200);
    expect([await inForce(0, 'synchronous_commit'), await inForce(1, 'work_mem')]).toEqual(['on', '4MB']);
  });

  it('refuses what is not on the list, what PostgreSQL refuses and unknown shards, changing nothing', async () => {
    const outside = await t.call<ErrorReply>('PUT', '/lab/v1/tuning/parameters/archive_command', { value: 'touch /tmp/x' });
    expect(outside.status).toBe(404);
    expect(outside.body.error.code).toBe('parameter_not_allowed');
    const bad = await t.call<ErrorReply>('PUT', '/lab/v1/tuning/parameters/work_mem', { value: 'lots' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_value');
    const quoted = await t.call<ErrorReply>('PUT', '/lab/v1/tuning/parameters/work_mem', { value: "1MB'; ALTER SYSTEM SET archive_command = 'x" });
    expect(quoted.status).toBe(400);
    const shard = await t.call<ErrorReply>('PUT', '/lab/v1/tuning/parameters/work_mem', { value: '8MB', shards: ['shard-9'] });
    expect(shard.status).toBe(404);
    expect([await inForce(0, 'work_mem'), await inForce(1, 'work_mem'), await inForce(0, 'archive_command')]).toEqual(['4MB', '4MB', '(disabled)']);
  });
});

describe('tuning from the CLI', () => {
  it('sets, lists and resets, through the same command the terminal runs', async () => {
    const env = { LAB_URL: t.url };
    const set = await runCli(['tune', 'set', 'random_page_cost', '1.1'], env);
    expect(set.code, set.out).toBe(0);
    expect(set.out).toMatch(/random_page_cost +\| 1\.1\* +\| 1\.1\*/);
    expect((await runCli(['tune'], env)).out).toMatch(/work_mem +\| 4MB +\| 4MB/);
    const wrong = await runCli(['tune', 'set', 'fsync', 'off'], env);
    expect(wrong.code).toBe(1);
    expect(wrong.out).toContain('parameter_not_allowed');
    expect((await runCli(['tune', 'reset', 'random_page_cost'], env)).code).toBe(0);
    expect(await inForce(1, 'random_page_cost')).toBe('4');
  });
});

interface Knob {
  name: string;
  value: string;
  default: string;
  changed: boolean;
  applies: string;
  unanswered?: string[];
}
const knob = (knobs: Knob[], name: string) => knobs.find((k) => k.name === name)!;
const turn = (name: string, value: unknown) => t.call<{ knobs: Knob[] }>('PUT', `/lab/v1/tuning/knobs/${name}`, { value });

describe('the knob panel', () => {
  it('lists every knob with its value, default and how it applies, and resets them all', async () => {
    const list = await t.call<{ knobs: Knob[] }>('GET', '/lab/v1/tuning/knobs');
    expect(list.status).toBe(200);
    expect(knob(list.body.knobs, 'pool_max')).toMatchObject({ value: '20', default: '20', changed: false, applies: 'live' });
    expect(knob(list.body.knobs, 'synchronous_commit')).toMatchObject({ value: 'on', applies: 'reload' });
    expect(knob(list.body.knobs, 'shared_buffers').applies).toBe('restart');

    expect(knob((await turn('pool_max', 7)).body.knobs, 'pool_max')).toMatchObject({ value: '7', changed: true });
    expect(knob((await turn('synchronous_commit', 'off')).body.knobs, 'synchronous_commit').value).toBe('off');
    expect(knob((await turn('prepared_statements', 'off')).body.knobs, 'prepared_statements').value).toBe('off');
    const reset = await t.call<{ knobs: Knob[] }>('POST', '/lab/v1/tuning/knobs/reset');
    expect(reset.body.knobs.filter((k) => k.changed)).toEqual([]);
    expect(await inForce(0, 'synchronous_commit')).toBe('on');
  });

  it('refuses unknown knobs and bad values, changing nothing', async () => {
    const cases: [string, unknown, number, string][] = [
      ['fsync', 'off', 404, 'not_found'],
      ['pool_max', 0, 400, 'invalid_value'],
      ['pool_max', 'many', 400, 'invalid_value'],
      ['data_layer', 'gorm', 400, 'invalid_value'],
      ['prepared_statements', 'maybe', 400, 'invalid_value'],
      ['work_mem', 'lots', 400, 'invalid_value'],
      ['workers', 9, 400, 'invalid_value'],
      ['workers', 'two', 400, 'invalid_value'],
    ];
    for (const [name, value, status, code] of cases) {
      const r = await t.call<ErrorReply>('PUT', `/lab/v1/tuning/knobs/${name}`, { value });
      expect(r.status, `${name}=${String(value)}`).toBe(status);
      expect(r.body.error.code).toBe(code);
    }
    expect((await t.call<ErrorReply>('PUT', '/lab/v1/tuning/knobs/pool_max', { value: 3, extra: 1 })).status).toBe(400);
    const knobs = (await t.call<{ knobs: Knob[] }>('GET', '/lab/v1/tuning/knobs')).body.knobs;
    expect(knobs.filter((k) => k.changed)).toEqual([]);
  });

  it('applies the pool knobs to the next request: size and wait (503 shard_busy), session timeouts, prepared statements', async () => {
    const lab = t.running.lab;
    const created = await t.call<{ id: string }>('POST', '/api/v1/users', { first_name: 'Knob', last_name: 'Turner' });
    const shard = lab.cluster.shards.find((s) => s.name === created.headers.get('x-lab-shard'))!;

    // The wait also bounds opening a connection, so it stays well above what a loaded machine needs for that.
    await turn('pool_wait_timeout_ms', 3000);
    await turn('pool_max', 2);
    // Hold both connections of the shard's new pool: the next request to that shard must give up after the wait.
    const held = [await shard.pool.connect(), await shard.pool.connect()];
    const busy = await t.call<ErrorReply>('GET', `/api/v1/users/${created.body.id}`);
    expect(busy.status).toBe(503);
    expect(busy.body.error.code).toBe('shard_busy');
    for (const c of held) c.release();
    expect((await t.call('GET', `/api/v1/users/${created.body.id}`)).status).toBe(200);
    await turn('pool_wait_timeout_ms', null);

    await turn('statement_timeout_ms', 2500);
    await turn('idle_in_transaction_timeout_ms', 30000);
    const session = await shard.pool.query<{ s: string; i: string }>(
      "SELECT current_setting('statement_timeout') AS s, current_setting('idle_in_transaction_session_timeout') AS i",
    );
    expect(session.rows[0]).toEqual({ s: '2500ms', i: '30s' });

    // One connection, so the lab's request and this query share a session and its prepared statements.
    await turn('pool_max', 1);
    await turn('prepared_statements', 'off');
    expect((await t.call('GET', `/api/v1/users/${created.body.id}`)).status).toBe(200);
    const named = 'SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name = $1';
    expect((await shard.pool.query<{ n: number }>(named, ['users.find'])).rows[0]!.n).toBe(0);
    await turn('prepared_statements', 'on');
    expect((await t.call('GET', `/api/v1/users/${created.body.id}`)).status).toBe(200);
    expect((await shard.pool.query<{ n: number }>(named, ['users.find'])).rows[0]!.n).toBe(1);

    await t.call('POST', '/lab/v1/tuning/knobs/reset');
    expect(shard.pool.options.max).toBe(20);
  });

  it('records the knobs with each load test and marks a change made during it', async () => {
    await turn('pool_max', 6);
    const started = await t.call<{ id: string }>('POST', '/lab/v1/loadtests', { scenario: 'smoke', duration_s: 3, warmup_s: 0 });
    expect(started.status).toBe(202);
    const engine = t.running.lab.loadtests;
    while ((await engine.get(started.body.id))?.state === 'preparing') await new Promise((r) => setTimeout(r, 100));
    await turn('pool_max', 8);
    await engine.wait();
    const run = await t.call<{ state: string; conditions: Record<string, string>; marks: { kind: string; label: string }[] }>(
      'GET',
      `/lab/v1/loadtests/${started.body.id}`,
    );
    expect(run.body.state).toBe('finished');
    expect(run.body.conditions).toMatchObject({ pool_max: '6', synchronous_commit: 'on' });
    expect(run.body.marks).toContainEqual(expect.objectContaining({ kind: 'knob', label: 'pool_max → 8' }));
    await t.call('POST', '/lab/v1/tuning/knobs/reset');
  });
});

describe('the knob panel from the CLI', () => {
  it('turns a knob and resets them all', async () => {
    const env = { LAB_URL: t.url };
    const set = await runCli(['tune', 'knob', 'pool_max', '12'], env);
    expect(set.code, set.out).toBe(0);
    expect(set.out).toMatch(/pool_max +\| 12\* +\| 20 +\| live/);
    expect(set.out).not.toMatch(/synchronous_commit/);
    const reset = await runCli(['tune', 'knobs', 'reset'], env);
    expect(reset.out).toMatch(/synchronous_commit +\| on /);
  });
});

interface TopStatements {
  by: string;
  shards: { shard: string; total_ms: number; statements: { query: string; calls: number; total_ms: number; mean_ms: number; share_pct: number }[] }[];
}

describe('predict, then measure', () => {
  type Pred = {
    id: number;
    predicted_pct: number;
    note: string;
    before: { run: string; value: number | null };
    after: { run: string; value: number | null } | null;
    measured_pct: number | null;
    off_by_points: number | null;
    differed: string[];
  };
  const smoke = async () => {
    const started = await t.call<{ id: string }>('POST', '/lab/v1/loadtests', { scenario: 'smoke', duration_s: 2, warmup_s: 0 });
    expect(started.status).toBe(202);
    await t.running.lab.loadtests.wait();
    return (await t.call<{ id: string; summary: { requests_per_s: number } }>('GET', `/lab/v1/loadtests/${started.body.id}`)).body;
  };

  it('keeps each prediction beside the run that measured it, on the API, across a restart and in the CLI', async () => {
    // The only run so far had a knob turned during it: no baseline.
    expect((await t.call<ErrorReply>('POST', '/lab/v1/tuning/predictions', { change_pct: 10 })).body.error.code).toBe('no_baseline');
    for (const bad of [{}, { change_pct: 'lots' }, { change_pct: 5, metric: 'fun' }, { change_pct: 5, extra: 1 }, { change_pct: -101 }])
      expect((await t.call('POST', '/lab/v1/tuning/predictions', bad)).status, JSON.stringify(bad)).toBe(400);
    expect((await t.call<{ predictions: Pred[] }>('GET', '/lab/v1/tuning/predictions')).body.predictions).toEqual([]);

    const a = await smoke();
    const made = await t.call<Pred>('POST', '/lab/v1/tuning/predictions', { change_pct: 15, note: 'pool 4' });
    expect(made.status).toBe(200);
    expect(made.body).toMatchObject({ predicted_pct: 15, note: 'pool 4', before: { run: a.id }, after: null, measured_pct: null });

    await t.call('PUT', '/lab/v1/tuning/knobs/pool_max', { value: 4 });
    const b = await smoke();
    await t.call('POST', '/lab/v1/tuning/knobs/reset');
    const [p] = (await t.call<{ predictions: Pred[] }>('GET', '/lab/v1/tuning/predictions')).body.predictions;
    const measured = Math.round(((b.summary.requests_per_s - a.summary.requests_per_s) / a.summary.requests_per_s) * 1000) / 10;
    expect(p).toMatchObject({ id: made.body.id, after: { run: b.id }, measured_pct: measured, off_by_points: Math.round((measured - 15) * 10) / 10 });
    expect(p!.differed).toContainEqual(expect.stringMatching(/^pool_max: \d+ → 4$/));

    // What a restarted lab builds reads the same history from the catalog.
    const again = await new Predictions(t.running.lab.cluster.catalog.pool, t.running.lab.loadtests).list();
    expect(again).toEqual([p]);

    const env = { LAB_URL: t.url };
    const cli = await runCli(['tune', 'predict', '-5', '--metric', 'latency_ms.p95', '--note', 'pool back'], env);
    expect(cli.code, cli.out).toBe(0);
    expect(cli.out).toContain(`latency_ms.p95 -5.0 % against run ${b.id.slice(0, 8)}`);
    const listed = await runCli(['tune', 'predictions'], env);
    expect(listed.out).toMatch(/latency_ms\.p95 +\| -5\.0 % +\| smoke \w{8} +\| not run yet/);
    expect(listed.out).toContain('pool_max:');
    expect((await t.call<{ predictions: Pred[] }>('DELETE', '/lab/v1/tuning/predictions')).body.predictions).toEqual([]);
  });
});

describe('where the time goes', () => {
  type Part = { p50: number; p95: number; mean: number };
  type Row = { endpoint: string; requests: number; parts: Record<'total' | 'pool_wait' | 'query' | 'server' | 'serialise' | 'response', Part> };
  const rows = async () => (await t.call<{ endpoints: Row[]; sample_percent: number }>('GET', '/lab/v1/tuning/breakdown')).body;

  it('splits every traced request into pool wait, query, server work, serialisation and response, per endpoint, on the API and in the CLI', async () => {
    expect((await t.call('PUT', '/lab/v1/traces/sampling', { percent: 100 })).status).toBe(200);
    expect((await t.call<{ endpoints: Row[] }>('DELETE', '/lab/v1/tuning/breakdown')).body.endpoints).toEqual([]);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await t.call<{ id: string }>('POST', '/api/v1/users', { first_name: `Part${i}`, last_name: 'Time' })).body.id);
    for (const id of [...ids, ...ids]) expect((await t.call('GET', `/api/v1/users/${id}`)).status).toBe(200);
    expect((await t.call('GET', '/api/v1/users?limit=5')).status).toBe(200);
    // A trace is added when the response has closed, which may be just after the client read it.
    let now = await rows();
    for (let i = 0; i < 50 && now.endpoints.reduce((n, e) => n + e.requests, 0) < 10; i++) {
      await new Promise((r) => setTimeout(r, 100));
      now = await rows();
    }
    const by = Object.fromEntries(now.endpoints.map((e) => [e.endpoint, e]));
    expect(now.sample_percent).toBe(100);
    expect({ create: by['POST /api/v1/users']?.requests, read: by['GET /api/v1/users/:id']?.requests, list: by['GET /api/v1/users']?.requests }).toEqual({
      create: 3,
      read: 6,
      list: 1,
    });
    for (const e of now.endpoints) {
      // Every request ran at least one statement; no part can exceed the request it is part of.
      expect(e.parts.query.p50).toBeGreaterThan(0);
      for (const p of ['pool_wait', 'query', 'server', 'serialise', 'response'] as const) expect(e.parts[p].p50).toBeLessThanOrEqual(e.parts.total.p50);
    }

    const cli = await runCli(['tune', 'breakdown'], { LAB_URL: t.url });
    expect(cli.code, cli.out).toBe(0);
    expect(cli.out).toMatch(/GET \/api\/v1\/users\/:id +\| 6 +\|/);
    expect(cli.out).toContain('100 % of live /api requests are traced.');
    await t.call('PUT', '/lab/v1/traces/sampling', { percent: 0 });
    expect((await runCli(['tune', 'breakdown', 'reset'], { LAB_URL: t.url })).out).toContain('afresh');
    expect((await rows()).endpoints).toEqual([]);
  });
});

describe('the top statements from pg_stat_statements', () => {
  it('resets, counts what ran since on each shard, and orders by total time, calls or mean', async () => {
    expect((await t.call('POST', '/lab/v1/tuning/statements/reset')).status).toBe(200);
    const user = await t.call<{ id: string }>('POST', '/api/v1/users', { first_name: 'Top', last_name: 'Statement' });
    for (let i = 0; i < 25; i++) expect((await t.call('GET', `/api/v1/users/${user.body.id}`)).status).toBe(200);
    const byCalls = await t.call<TopStatements>('GET', '/lab/v1/tuning/statements?by=calls&limit=50');
    expect(byCalls.status).toBe(200);
    expect(byCalls.body.shards.map((s) => s.shard)).toEqual(['shard-0', 'shard-1']);
    const lookups = byCalls.body.shards.flatMap((s) => s.statements).filter((x) => /FROM users/i.test(x.query) && /WHERE id = \$1/i.test(x.query));
    // The 25 lookups of one user ran on its shard as one normalised statement.
    expect(lookups.reduce((n, x) => n + x.calls, 0)).toBeGreaterThanOrEqual(25);
    for (const s of byCalls.body.shards) {
      const calls = s.statements.map((x) => x.calls);
      expect(calls).toEqual([...calls].sort((a, b) => b - a));
      expect(s.statements.every((x) => !x.query.includes('pg_stat_statements'))).toBe(true);
    }
    const byMean = await t.call<TopStatements>('GET', '/lab/v1/tuning/statements?by=mean&shard=shard-1');
    expect(byMean.body.shards.map((s) => s.shard)).toEqual(['shard-1']);
    const means = byMean.body.shards[0]!.statements.map((x) => x.mean_ms);
    expect(means).toEqual([...means].sort((a, b) => b - a));

    const reset = await t.call<TopStatements>('POST', '/lab/v1/tuning/statements/reset');
    const left = reset.body.shards.flatMap((s) => s.statements).filter((x) => /WHERE id = \$1/i.test(x.query) && /FROM users/i.test(x.query));
    expect(left).toEqual([]);
  });

  it('refuses a bad order, limit or shard', async () => {
    expect((await t.call<ErrorReply>('GET', '/lab/v1/tuning/statements?by=slowest')).status).toBe(400);
    expect((await t.call<ErrorReply>('GET', '/lab/v1/tuning/statements?limit=0')).status).toBe(400);
    expect((await t.call<ErrorReply>('GET', '/lab/v1/tuning/statements?shard=shard-9')).status).toBe(404);
  });

  it('shows them from the CLI', async () => {
    const top = await runCli(['tune', 'top', '--by', 'calls', '--shard', 'shard-0'], { LAB_URL: t.url });
    expect(top.code, top.out).toBe(0);
    expect(top.out).toMatch(/shard-0/);
    expect(top.out).toMatch(/share +\| total +\| calls/);
    expect((await runCli(['tune', 'top', 'reset'], { LAB_URL: t.url })).out).toContain('reset on shard-0, shard-1');
  });
});

describe('knob profiles', () => {
  type KnobList = { knobs: { name: string; value: string; changed: boolean }[] };
  const values = (k: KnobList) => Object.fromEntries(k.knobs.map((x) => [x.name, x.value]));

  it('applies the original before and after in one step, each from the defaults', async () => {
    const list = await t.call<{ profiles: { name: string; builtin: boolean; not_applied: { knob: string }[] }[] }>('GET', '/lab/v1/tuning/profiles');
    expect(list.body.profiles.map((p) => p.name)).toEqual(['lab-default', 'original-before', 'original-after']);
    expect(list.body.profiles[2]!.not_applied.map((n) => n.knob)).toContain('shared_buffers');

    await t.call('PUT', '/lab/v1/tuning/knobs/statement_timeout_ms', { value: 1234 });
    const after = await t.call<KnobList>('POST', '/lab/v1/tuning/profiles/original-after/apply');
    expect(after.status).toBe(200);
    expect(values(after.body)).toMatchObject({ pool_max: '100', synchronous_commit: 'off', data_layer: 'pg', work_mem: '16MB', statement_timeout_ms: '5000' });
    expect(await inForce(1, 'random_page_cost')).toBe('1.1');

    const before = await t.call<KnobList>('POST', '/lab/v1/tuning/profiles/original-before/apply');
    expect(values(before.body)).toMatchObject({
      pool_max: '25',
      synchronous_commit: 'on',
      data_layer: 'prisma',
      prepared_statements: 'off',
      statement_timeout_ms: '0',
    });
    expect(await inForce(0, 'checkpoint_completion_target')).toBe('0.5');

    const plain = await t.call<KnobList>('POST', '/lab/v1/tuning/profiles/lab-default/apply');
    expect(plain.body.knobs.filter((k) => k.changed)).toEqual([]);
  });

  it('saves the knobs in force as the learner’s own profile and applies it again', async () => {
    await t.call('PUT', '/lab/v1/tuning/knobs/pool_max', { value: 7 });
    await t.call('PUT', '/lab/v1/tuning/knobs/work_mem', { value: '12MB' });
    const saved = await t.call<{ name: string; builtin: boolean; values: Record<string, string> }>('POST', '/lab/v1/tuning/profiles', { name: 'mine' });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ name: 'mine', builtin: false, values: expect.objectContaining({ pool_max: '7', work_mem: '12MB' }) });
    await t.call('POST', '/lab/v1/tuning/knobs/reset');
    const again = await t.call<KnobList>('POST', '/lab/v1/tuning/profiles/mine/apply');
    expect(values(again.body)).toMatchObject({ pool_max: '7', work_mem: '12MB' });

    expect((await t.call<ErrorReply>('POST', '/lab/v1/tuning/profiles', { name: 'Not OK' })).status).toBe(400);
    expect((await t.call<ErrorReply>('POST', '/lab/v1/tuning/profiles', {})).status).toBe(400);
    expect((await t.call<ErrorReply>('POST', '/lab/v1/tuning/profiles', { name: 'original-after' })).status).toBe(409);
    expect((await t.call<ErrorReply>('POST', '/lab/v1/tuning/profiles/nope/apply')).status).toBe(404);
    expect((await t.call<ErrorReply>('DELETE', '/lab/v1/tuning/profiles/lab-default')).status).toBe(409);
    expect((await t.call<{ profiles: { name: string }[] }>('DELETE', '/lab/v1/tuning/profiles/mine')).body.profiles.map((p) => p.name)).not.toContain('mine');

    const cli = await runCli(['tune', 'profile', 'lab-default'], { LAB_URL: t.url });
    expect(cli.code, cli.out).toBe(0);
    expect(cli.out).toContain('Applied lab-default: every knob at its default.');
    expect((await runCli(['tune', 'profiles'], { LAB_URL: t.url })).out).toMatch(/original-after +\| built in +\| pool_max 100/);
  });
});

describe('prefork workers changed live', () => {
  const workerPids = () =>
    Object.values(cluster.workers ?? {})
      .filter((w) => w && !w.isDead())
      .map((w) => w!.process.pid!);
  type Mark = { kind: string; label: string; t_s: number; around?: { before_rps: number; after_rps: number; before_s: number; after_s: number } };

  it('hands the API from the primary to workers during a load test, measures req/s on both sides, replaces them, and takes it back', async () => {
    expect(workerPids()).toEqual([]);
    const engine = t.running.lab.loadtests;
    // Long enough for any machine to start the workers; cancelled once a few seconds after the change are in.
    const started = await t.call<{ id: string }>('POST', '/lab/v1/loadtests', { scenario: 'smoke', duration_s: 120, warmup_s: 0 });
    expect(started.status).toBe(202);
    const elapsed = async () => (await engine.get(started.body.id))?.progress?.elapsed_s ?? 0;
    const until = async (s: number) => {
      while ((await elapsed()) < s) await new Promise((r) => setTimeout(r, 100));
    };
    // A few full seconds served by the primary alone first.
    await until(3);
    const two = await turn('workers', 2);
    expect(two.status, JSON.stringify(two.body)).toBe(200);
    expect(knob(two.body.knobs, 'workers')).toMatchObject({ value: '2', default: '0', changed: true, applies: 'live' });
    const first = workerPids();
    expect(first).toHaveLength(2);
    await until((await elapsed()) + 4);
    expect((await t.call('POST', `/lab/v1/loadtests/${started.body.id}/cancel`)).status).toBe(202);
    await engine.wait();
    const run = await t.call<{ state: string; marks: Mark[]; summary: { requests: number } }>('GET', `/lab/v1/loadtests/${started.body.id}`);
    expect(run.body.state).toBe('cancelled');
    const mark = run.body.marks.find((m) => m.label === 'workers → 2');
    expect(mark?.around, JSON.stringify(run.body.marks)).toBeDefined();
    // Both sides served requests: the primary before the change, the workers after it.
    expect(mark!.around!.before_rps).toBeGreaterThan(0);
    expect(mark!.around!.after_rps).toBeGreaterThan(0);
    const shown = await runCli(['loadtest', 'show', started.body.id], { LAB_URL: t.url });
    expect(shown.out).toMatch(/workers → 2 — [\d,.]+ req\/s before \(\d+ s\), [\d,.]+ after \(\d+ s\): [\d.]+×/);

    // N → M: every worker is replaced by a new one.
    const cli = await runCli(['tune', 'knob', 'workers', '1'], { LAB_URL: t.url });
    expect(cli.code, cli.out).toBe(0);
    // The old workers finish their requests (this command's answer came back through one) and exit.
    while (workerPids().length > 1) await new Promise((r) => setTimeout(r, 100));
    const second = workerPids();
    expect(second).toHaveLength(1);
    expect(first).not.toContain(second[0]);
    expect((await t.call('POST', '/api/v1/users', { first_name: 'Served', last_name: 'ByWorker' })).status).toBe(201);

    // Back to the default: the primary serves the API on the same port again.
    expect(knob((await turn('workers', null)).body.knobs, 'workers')).toMatchObject({ value: '0', changed: false });
    while (workerPids().length > 0) await new Promise((r) => setTimeout(r, 100));
    expect((await t.call('POST', '/api/v1/users', { first_name: 'Served', last_name: 'ByPrimary' })).status).toBe(201);
    expect((await t.call('GET', '/lab/v1/topology')).status).toBe(200);
  }, 120_000);

  it('with a shard down, reads the knobs and statements of the others, names it in checks that measure, and refuses new workers', async () => {
    const statuses = async (n: number) => {
      const got: number[] = [];
      for (let i = 0; i < n; i++) got.push((await t.call('POST', '/api/v1/users', { first_name: 'Down', last_name: `Worker ${i}` })).status);
      return got;
    };
    expect((await t.call('POST', '/lab/v1/shards/shard-1/kill')).status).toBe(200);
    try {
      // The knob panel reads what answers and names the rest; a PostgreSQL knob is refused, naming the shard, changing nothing.
      const panel = await t.call<{ knobs: Knob[] }>('GET', '/lab/v1/tuning/knobs');
      expect(panel.status).toBe(200);
      expect(knob(panel.body.knobs, 'work_mem')).toMatchObject({ value: '4MB', unanswered: ['shard-1'] });
      expect(knob(panel.body.knobs, 'pool_max').unanswered).toBeUndefined();
      const refused = await turn('work_mem', '8MB');
      expect(refused.status).toBe(503);
      expect(JSON.stringify(refused.body)).toContain('shard-1');
      expect(await inForce(0, 'work_mem')).toBe('4MB');
      const statements = await t.call<{ shards: { shard: string }[]; unanswered?: string[] }>('GET', '/lab/v1/tuning/statements');
      expect(statements.status).toBe(200);
      expect(statements.body.shards.map((x) => x.shard)).toEqual(['shard-0']);
      expect(statements.body.unanswered).toEqual(['shard-1']);
      const top = await runCli(['tune', 'top'], { LAB_URL: t.url });
      expect(top.code, top.out).toBe(0);
      expect(top.out).toMatch(/shard-1 +did not answer/);
      const budget = await t.call<ErrorReply>('POST', '/lab/v1/tuning/connection-budget', { workers: 0, pool_max: 2 });
      expect(budget.status).toBe(503);
      expect(budget.body.error.message).toContain('shard-1');
      // A check that measures through the lab's own API passes the outage on, naming the shard, instead of an internal error.
      const check = await t.call<ErrorReply>('POST', '/lab/v1/chapters/architecture/exercises/offset-rows/check', { answer: 100 });
      expect(check.status, JSON.stringify(check.body)).toBe(503);
      expect(check.body.error.message).toContain('shard-1');
      // New workers would refuse to serve without it: refused, naming it, nothing changed.
      const two = await turn('workers', 2);
      expect(two.status, JSON.stringify(two.body)).toBe(409);
      expect(JSON.stringify(two.body)).toContain('shard-1 is down');
      expect(workerPids()).toEqual([]);
      // The primary serves the shard that answers; new ids that land on shard-1 get 503 while it is down.
      const down = await statuses(20);
      expect(down).toContain(201);
      expect(down).toContain(503);
    } finally {
      expect((await t.call('POST', '/lab/v1/shards/shard-1/start')).status).toBe(200);
    }
    await expect.poll(async () => (await statuses(10)).every((s) => s === 201), { timeout: 60_000, interval: 500 }).toBe(true);
  }, 180_000);
});

interface CrashRun {
  shard: string;
  synchronous_commit: string;
  acknowledged: number;
  lost: number;
  lost_ids: number[];
  commits_per_s: number;
}

const shardPid = async (name: string) =>
  (await t.call<{ shards: { name: string; pid: number | null; status: string }[] }>('GET', '/lab/v1/topology')).body.shards.find((s) => s.name === name);

describe('a crash with synchronous_commit on and off', () => {
  it('kills the postmaster mid-write, restarts it, and counts acknowledged writes lost: none with on', async () => {
    const before = await shardPid('shard-1');
    const on = await t.call<CrashRun>('POST', '/lab/v1/tuning/durability', { shard: 'shard-1', synchronous_commit: 'on', write_ms: 500 });
    expect(on.status, JSON.stringify(on.body)).toBe(200);
    expect(on.body.acknowledged).toBeGreaterThan(0);
    expect(on.body.lost).toBe(0);
    const after = await shardPid('shard-1');
    // A new postmaster: the old one was killed, not asked to stop; the shard serves again.
    expect(after?.status).toBe('up');
    expect(after?.pid).not.toBe(before?.pid);

    const off = await t.call<CrashRun>('POST', '/lab/v1/tuning/durability', { shard: 'shard-1', synchronous_commit: 'off', write_ms: 500 });
    expect(off.status).toBe(200);
    expect(off.body.lost).toBeLessThanOrEqual(off.body.acknowledged);
    expect(off.body.lost_ids.length).toBe(Math.min(20, off.body.lost));

    const list = await t.call<{ runs: CrashRun[] }>('GET', '/lab/v1/tuning/durability');
    expect(list.body.runs.map((r) => r.synchronous_commit)).toEqual(['on', 'off']);
    expect((await t.call('POST', '/api/v1/users', { first_name: 'After', last_name: 'Crash' })).status).toBe(201);
  }, 120_000);

  it('refuses an unknown shard and a bad mode, killing nothing', async () => {
    const pid = (await shardPid('shard-0'))?.pid;
    const unknown = await t.call<ErrorReply>('POST', '/lab/v1/tuning/durability', { shard: 'shard-7', synchronous_commit: 'off' });
    expect(unknown.status).toBe(404);
    const bad = await t.call<ErrorReply>('POST', '/lab/v1/tuning/durability', { shard: 'shard-0', synchronous_commit: 'local' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('on or off');
    expect((await shardPid('shard-0'))?.pid).toBe(pid);
  });

  it('lists and forgets the runs from the CLI', async () => {
    const env = { LAB_URL: t.url };
    const list = await runCli(['tune', 'crashes'], env);
    expect(list.code, list.out).toBe(0);
    expect(list.out).toMatch(/shard-1 +\| on/);
    expect((await t.call<{ runs: unknown[] }>('DELETE', '/lab/v1/tuning/durability')).body.runs).toEqual([]);
    expect((await runCli(['tune', 'crashes'], env)).out).toContain('No crash runs yet');
  });
});

describe('restart-only parameters, applied by a restart the lab performs', () => {
  type KnobList = { knobs: { name: string; value: string; needs_restart: boolean; changed: boolean }[] };
  const knob = (k: KnobList, name: string) => k.knobs.find((x) => x.name === name)!;
  const inForce = async (name: string) =>
    (await t.call<{ shards: { shard: string; parameters: { name: string; setting: string }[] }[] }>('GET', '/lab/v1/tuning/parameters')).body.shards.map(
      (s) => s.parameters.find((p) => p.name === name)!.setting,
    );
  const restart = async () => {
    const started = await t.call<{ job_id: string }>('POST', '/lab/v1/tuning/restart');
    expect(started.status).toBe(202);
    const job = await t.running.lab.jobs.wait(started.body.job_id);
    expect(job.state, JSON.stringify(job.error)).toBe('succeeded');
    return job;
  };

  it('shows shared_buffers and max_connections as needing a restart, restarts shard by shard, and then they are in force', async () => {
    await t.call('PUT', '/lab/v1/tuning/knobs/shared_buffers', { value: '64MB' });
    const set = await t.call<KnobList>('PUT', '/lab/v1/tuning/knobs/max_connections', { value: '150' });
    expect(knob(set.body, 'max_connections')).toMatchObject({
      needs_restart: true,
      changed: true,
      value: expect.stringContaining('set to 150; needs a restart'),
    });
    expect(knob(set.body, 'shared_buffers').needs_restart).toBe(true);
    expect(await inForce('max_connections')).toEqual(['200', '200']);

    const job = await restart();
    expect(job.notes?.map((n) => n.phase)).toEqual(expect.arrayContaining(['shard-0', 'shard-1']));
    expect(await inForce('max_connections')).toEqual(['150', '150']);
    expect(await inForce('shared_buffers')).toEqual(['64MB', '64MB']);
    const after = await t.call<KnobList>('GET', '/lab/v1/tuning/knobs');
    expect(after.body.knobs.filter((k) => k.needs_restart)).toEqual([]);

    // The override and the learner's profiles outlive the lab: stopped (shards too) and started again.
    expect((await t.call('POST', '/lab/v1/tuning/profiles', { name: 'kept' })).status).toBe(200);
    await t.restart();
    expect(await inForce('max_connections')).toEqual(['150', '150']);
    const restarted = await t.call<{ knobs: { name: string; set_here: string; needs_restart: boolean; changed: boolean }[] }>('GET', '/lab/v1/tuning/knobs');
    expect(restarted.body.knobs.find((k) => k.name === 'max_connections')).toMatchObject({
      needs_restart: false,
      changed: true,
      set_here: expect.stringContaining('set with this knob'),
    });
    const profiles = await t.call<{ profiles: { name: string; builtin: boolean }[] }>('GET', '/lab/v1/tuning/profiles');
    expect(profiles.body.profiles).toContainEqual(expect.objectContaining({ name: 'kept', builtin: false }));
    expect((await t.call('DELETE', '/lab/v1/tuning/profiles/kept')).status).toBe(200);

    // Back to the defaults: the reset also needs a restart, and then the command line's value is back.
    const reset = await t.call<KnobList>('POST', '/lab/v1/tuning/knobs/reset');
    expect(knob(reset.body, 'max_connections').needs_restart).toBe(true);
    await restart();
    expect(await inForce('max_connections')).toEqual(['200', '200']);
    expect(await inForce('shared_buffers')).toEqual(['128MB', '128MB']);
    expect((await t.call('POST', '/api/v1/users', { first_name: 'After', last_name: 'Restart' })).status).toBe(201);
  }, 180_000);
});

describe("pool starvation at the original's scale", () => {
  it('runs crud at 200 users per pool connection with pool_max 1, then 4, states the rule, and puts the pool back', async () => {
    expect((await t.call<ErrorReply>('POST', '/lab/v1/tuning/starvation', { duration_s: 1 })).status).toBe(400);
    expect((await t.call<{ result: null }>('GET', '/lab/v1/tuning/starvation')).body.result).toBeNull();
    const cli = await runCli(['tune', 'starve', '--seconds', '2'], { LAB_URL: t.url });
    expect(cli.code, cli.out).toBe(0);
    expect(cli.out).toContain('pool_max 1 × 2 shards × 1 process = 2 connections against 400 users (200 per connection), 2 s, a 167 ms wait');
    expect(cli.out).toMatch(/before +\| 1 \(2 conn\.\)/);

    type Side = { run: string; pool_max: number; requests: number; failed: number; status_codes: Record<string, number> };
    const { result } = (await t.call<{ result: { plan: { users: number; wait_ms: number }; before: Side; after: Side } }>('GET', '/lab/v1/tuning/starvation'))
      .body;
    expect(result.plan).toMatchObject({ users: 400, wait_ms: 167 });
    // 200 requests queued behind each connection, with a 167 ms wait: the starved pool turns requests away as 503 shard_busy.
    expect(result.before.failed).toBeGreaterThan(0);
    expect(result.before.status_codes['503']).toBeGreaterThan(0);
    for (const [side, pool] of [
      [result.before, '1'],
      [result.after, '4'],
    ] as const) {
      const run = (
        await t.call<{ scenario: string; params: { connections: number }; conditions: Record<string, string> }>('GET', `/lab/v1/loadtests/${side.run}`)
      ).body;
      expect(run).toMatchObject({ scenario: 'crud', params: { connections: 400 }, conditions: { pool_max: pool, pool_wait_timeout_ms: '167' } });
    }
    const knobs = await t.call<{ knobs: Knob[] }>('GET', '/lab/v1/tuning/knobs');
    expect(knobs.body.knobs.filter((k) => ['pool_max', 'pool_wait_timeout_ms'].includes(k.name) && k.changed)).toEqual([]);
  });
});

describe('memory per open connection', () => {
  it('refuses a bad body, starting nothing', async () => {
    const jobs = t.running.lab.jobs.list().length;
    for (const body of [{ connections: 5 }, { connections: 2.5 }, { connections: 'many' }, { connections: 1_000_000 }, { sockets: 300 }]) {
      const r = await t.call<ErrorReply>('POST', '/lab/v1/tuning/connection-memory', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.message).toBeTruthy();
    }
    expect(t.running.lab.jobs.list().length).toBe(jobs);
    expect((await t.call<{ result: null }>('GET', '/lab/v1/tuning/connection-memory')).body.result).toBeNull();
  });

  it('measures a bare HTTP server with N connections open as a job, stops it by its pid, and shows it from the CLI', async () => {
    type Result = { server_pid: number; connections: number; before: { rss_bytes: number }; after: { rss_bytes: number }; limits: { fd_soft: number } };
    const started = await t.call<{ job_id: string }>('POST', '/lab/v1/tuning/connection-memory', { connections: 300 });
    expect(started.status).toBe(202);
    const second = await t.call<ErrorReply>('POST', '/lab/v1/tuning/connection-memory', { connections: 300 });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('trial_running');
    const job = await t.running.lab.jobs.wait(started.body.job_id);
    expect(job.state, job.error?.message).toBe('succeeded');
    const r = job.result as unknown as Result;
    expect(r.connections).toBe(300);
    expect(isAlive(r.server_pid)).toBe(false);
    expect(r.before.rss_bytes).toBeGreaterThan(0);
    expect(r.after.rss_bytes).toBeGreaterThan(0);
    expect((await t.call<{ result: Result }>('GET', '/lab/v1/tuning/connection-memory')).body.result).toEqual(r);

    const cli = await runCli(['tune', 'memory', '--connections', '200'], { LAB_URL: t.url });
    expect(cli.code, cli.out).toBe(0);
    expect(cli.out).toMatch(/^node:http v\d+\.\d+\.\d+, pid (\d+) \(stopped\): \d+ connections open on the server/m);
    expect(isAlive(Number(/, pid (\d+) \(stopped\)/.exec(cli.out)![1]))).toBe(false);
    expect(cli.out).toMatch(/200 open +\|/);
    expect(cli.out).toMatch(/524,288 \(the original's Concurrency setting \(512K\)\) +\|/);
    expect(cli.out).toContain(`ulimit -n ${r.limits.fd_soft}`);
    const wrong = await runCli(['tune', 'memory', '--connections', 'lots'], { LAB_URL: t.url });
    expect(wrong.code).toBe(1);
    expect(wrong.out).toContain('--connections must be a whole number');
  });
});

describe("query shapes: the original's per-query claims, one statement at a time", () => {
  type Side = { shape: string; sql: string; mean_us: number; p50_us: number; ops_per_s: number };
  type Trial = {
    shard: string;
    rounds: number;
    warmup: number;
    rows_written: number;
    rows_left: number;
    pairs: { pair: string; gorm_default: Side; tuned: Side; ratio: number; change_pct: number; claimed: { min: number; max: number } }[];
  };
  const marked = async (i: number) =>
    (await queryServer<{ n: number }>(t.shardUrls[i]!, `SELECT count(*)::int AS n FROM users WHERE first_name = 'lab-shapes'`))[0]!.n;

  it('runs the four pairs on the shard named through HTTP, as GORM sends them, and deletes every user it wrote', async () => {
    expect((await t.call<{ result: null }>('GET', '/lab/v1/tuning/query-shapes')).body.result).toBeNull();
    const r = await t.call<Trial>('POST', '/lab/v1/tuning/query-shapes', { shard: 'shard-1', rounds: 6 });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ shard: 'shard-1', rounds: 6, warmup: 3, rows_left: 0 });
    // The page of 50, then BEGIN; INSERT; COMMIT and a bare INSERT in each of the 3 + 6 rounds.
    expect(r.body.rows_written).toBe(50 + 2 * 9);
    const by = Object.fromEntries(r.body.pairs.map((p) => [p.pair, p]));
    expect(Object.keys(by)).toEqual(['transaction', 'columns', 'take', 'updates']);
    expect(by.transaction!.gorm_default.sql).toMatch(/^BEGIN\nINSERT INTO users .*\nCOMMIT$/);
    expect(by.transaction!.tuned.sql).toMatch(/^INSERT INTO users /);
    expect(by.columns!.gorm_default.sql).toMatch(/^SELECT \* FROM users ORDER BY created_at DESC, id DESC LIMIT 50$/);
    expect(by.columns!.tuned.sql).toMatch(/^SELECT id, first_name, last_name FROM users/);
    expect(by.take!.gorm_default.sql).toContain('ORDER BY users.id LIMIT 1');
    expect(by.take!.tuned.sql).not.toContain('ORDER BY');
    expect(by.updates!.gorm_default.sql).toContain('first_name = $2, last_name = $3, email = $4, created_at = $5, updated_at = $6');
    expect(by.updates!.tuned.sql).toContain('SET email = $2, updated_at = $3');
    for (const p of r.body.pairs) {
      for (const s of [p.gorm_default, p.tuned]) expect(s.p50_us * s.mean_us * s.ops_per_s).toBeGreaterThan(0);
      expect(p.ratio).toBeCloseTo(p.gorm_default.p50_us / p.tuned.p50_us, 2);
      expect(p.change_pct).toBeCloseTo((p.ratio - 1) * 100, 0);
      expect(p.claimed.max).toBeGreaterThan(p.claimed.min);
    }
    // It ran on shard-1 (the server counted First's statement there), and nothing it wrote (every row marked) is left.
    const top = await t.call<TopStatements>('GET', '/lab/v1/tuning/statements?by=calls&limit=50&shard=shard-1');
    const first = top.body.shards[0]!.statements.find((x) => x.query.includes('ORDER BY users.id LIMIT'));
    expect(first?.calls).toBeGreaterThanOrEqual(9);
    expect([await marked(0), await marked(1)]).toEqual([0, 0]);
    expect((await t.call<{ result: Trial }>('GET', '/lab/v1/tuning/query-shapes')).body.result).toEqual(r.body);
  });

  it('refuses an unknown shard, rounds out of range and unknown pairs, writing nothing', async () => {
    const cases: [unknown, number][] = [
      [{ shard: 'shard-9' }, 404],
      [{ rounds: 2 }, 400],
      [{ rounds: 5001 }, 400],
      [{ rounds: 10.5 }, 400],
      [{ pairs: ['select'] }, 400],
      [{ pairs: [] }, 400],
      [{ speed: 'fast' }, 400],
    ];
    for (const [body, status] of cases) {
      const r = await t.call<ErrorReply>('POST', '/lab/v1/tuning/query-shapes', body);
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect(r.body.error.message).toBeTruthy();
    }
    // While a topology change runs, a trial is refused at once instead of waiting behind it.
    let finish = () => {};
    const change = t.running.lab.ring.changeTopology(() => new Promise<void>((resolve) => (finish = resolve)));
    const busy = await t.call<ErrorReply>('POST', '/lab/v1/tuning/query-shapes', { rounds: 5 });
    finish();
    await change;
    expect(busy.status).toBe(409);
    expect(busy.body.error.code).toBe('topology_changing');
    expect([await marked(0), await marked(1)]).toEqual([0, 0]);
  });

  it('prints the pairs from the CLI, and measures a chapter claim with a verdict', async () => {
    const cli = await runCli(['tune', 'shapes', '--rounds', '5', '--pairs', 'take,updates'], { LAB_URL: t.url });
    expect(cli.code, cli.out).toBe(0);
    expect(cli.out).toMatch(/pair +\| GORM default +\| p50 +\| tuned +\| p50 +\| tuned is faster by +\| claimed/);
    expect(cli.out).toMatch(/take +\| First\(&user, id\) +\| [\d.,]+ µs +\| Take\(&user, id\)/);
    expect(cli.out).toMatch(/updates +\| Save\(&user\)/);
    expect(cli.out).toContain('shard-0, 5 rounds per side');
    const bad = await runCli(['tune', 'shapes', '--pairs', 'take,select'], { LAB_URL: t.url });
    expect(bad.code).not.toBe(0);
    expect(bad.out).toContain('--pairs takes transaction, columns, take, updates');

    const claim = await t.call<{ measured: string; verdict: string; why: string }>('POST', '/lab/v1/chapters/performance-tuning/claims/take-first/measure', {});
    expect(claim.status).toBe(200);
    expect(claim.body.measured).toMatch(/^shard-0, 300 rounds per side: First\(&user, id\) p50 [\d,]+ µs/);
    expect(['holds', 'fails']).toContain(claim.body.verdict);
    expect(claim.body.why).toMatch(/is (inside|below|above) the claimed 10–20 %/);
    expect(await marked(0)).toBe(0);
  });
});

describe('the connection budget: prefork multiplies pools', () => {
  type BudgetShard = { shard: string; peak: number; processes: number; per_process_peak: number; formula: number; max_connections: number };
  const workerConnections = async (i: number) =>
    Number(
      (await queryServer<{ n: string }>(t.shardUrls[i]!, `SELECT count(*) AS n FROM pg_stat_activity WHERE application_name LIKE 'shard-lab-worker-%'`))[0]!.n,
    );

  it('refuses bad input and a budget over max_connections, changing nothing', async () => {
    expect((await t.call<{ result: null }>('GET', '/lab/v1/tuning/connection-budget')).body.result).toBeNull();
    for (const body of [{ workers: 9 }, { pool_max: 0 }, { duration_s: 2.5 }, { workers: 2, size: 3 }]) {
      const bad = await t.call<ErrorReply>('POST', '/lab/v1/tuning/connection-budget', body);
      expect(bad.status, JSON.stringify(body)).toBe(400);
    }
    // 8 workers × 50 = 400 per shard against max_connections 200: the original's mistake, refused before a worker starts.
    const over = await t.call<ErrorReply>('POST', '/lab/v1/tuning/connection-budget', { workers: 8, pool_max: 50 });
    expect(over.status).toBe(409);
    expect(over.body.error.code).toBe('over_budget');
    expect(over.body.error.message).toContain('8 processes × pool_max 50 = 400');
    const knobs = (await t.call<{ knobs: Knob[] }>('GET', '/lab/v1/tuning/knobs')).body.knobs;
    expect(knobs.filter((k) => ['workers', 'pool_max'].includes(k.name) && k.changed)).toEqual([]);
  });

  it('fills two workers’ pools of 3, counts 2 × 3 connections per shard in pg_stat_activity, and puts both knobs back', async () => {
    const running = startCli(['tune', 'budget', '--workers', '2', '--pool', '3', '--seconds', '2'], { LAB_URL: t.url });
    // Not a time limit on the budget: a run this long is stuck somewhere, and its job's timed notes say where.
    const stuck = setTimeout(() => {
      const jobs = t.running.lab.jobs.list().filter((j) => j.kind === 'connection-budget');
      console.error(`tune budget still running after 200 s:\n${running.output()}\n${JSON.stringify(jobs, null, 1)}`);
    }, 200_000);
    const cli = await running.done.finally(() => clearTimeout(stuck));
    expect(cli.code, cli.out).toBe(0);
    expect(cli.out).toContain('2 workers × pool_max 3 = 6 connections per shard, against max_connections 200');
    expect(cli.out, cli.out).toMatch(/shard-0 +\| 6 +\| 6 +\| 2 +\| 3 /);
    const { result } = (
      await t.call<{ result: { shards: BudgetShard[]; plan: { processes: number; formula: number }; samples: number } }>(
        'GET',
        '/lab/v1/tuning/connection-budget',
      )
    ).body;
    expect(result.plan).toMatchObject({ processes: 2, formula: 6 });
    expect(result.samples).toBeGreaterThan(1);
    // Each step says when it was done: a slow budget shows where its time went.
    const job = t.running.lab.jobs.list().find((j) => j.kind === 'connection-budget' && j.state === 'succeeded');
    const said = job?.notes?.map((n) => n.message) ?? [];
    for (const step of [
      /^pool_max 3 and 2 workers in force after [\d.]+ s$/,
      /^Every pool was full after [\d.]+ s/,
      /^pool_max and workers back as they were after [\d.]+ s$/,
    ])
      expect(said, said.join('\n')).toContainEqual(expect.stringMatching(step));
    // Each worker's own pool of 3 to each shard, every connection of it used under the load: exactly 2 × 3.
    expect(result.shards).toEqual(
      ['shard-0', 'shard-1'].map((shard) => expect.objectContaining({ shard, peak: 6, processes: 2, per_process_peak: 3, formula: 6, max_connections: 200 })),
    );
    const knobs = (await t.call<{ knobs: Knob[] }>('GET', '/lab/v1/tuning/knobs')).body.knobs;
    expect(knobs.filter((k) => ['workers', 'pool_max'].includes(k.name) && k.changed)).toEqual([]);
    // The workers are gone, and with them their connections: the primary serves the API again.
    for (const i of [0, 1]) await expect.poll(() => workerConnections(i), { timeout: 30_000 }).toBe(0);
    expect((await t.call('POST', '/api/v1/users', { first_name: 'After', last_name: 'Budget' })).status).toBe(201);
  }, 300_000);

  it('stops the load test on a cancel, lets writes go and puts the pool back', async () => {
    const started = await t.call<{ job_id: string }>('POST', '/lab/v1/tuning/connection-budget', { workers: 0, pool_max: 2, duration_s: 30 });
    expect(started.status).toBe(202);
    const engine = t.running.lab.loadtests;
    await expect.poll(() => engine.running()?.state, { timeout: 60_000 }).toBe('running');
    expect((await t.call('POST', `/lab/v1/jobs/${started.body.job_id}/cancel`)).status).toBe(202);
    expect((await t.running.lab.jobs.wait(started.body.job_id)).state).toBe('cancelled');
    expect(engine.running()).toBeNull();
    const held = `SELECT count(*) AS n FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'users' AND l.mode = 'ShareLock'`;
    for (const url of t.shardUrls) expect((await queryServer<{ n: string }>(url, held))[0]!.n).toBe('0');
    const knobs = (await t.call<{ knobs: Knob[] }>('GET', '/lab/v1/tuning/knobs')).body.knobs;
    expect(knobs.filter((k) => ['workers', 'pool_max'].includes(k.name) && k.changed)).toEqual([]);
    expect((await t.call('POST', '/api/v1/users', { first_name: 'After', last_name: 'Cancel' })).status).toBe(201);
  }, 120_000);
});
