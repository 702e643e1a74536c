import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { queryServer, startTestLab, type ErrorReply, type TestLab } from './support/lab.js';

/** The tuning chapter's knobs: an allow-list of PostgreSQL parameters, changed through the lab, never the console. */
let t: TestLab;
beforeAll(async () => {
  t = await startTestLab(2);
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
      ['workers', 4, 400, 'not_live'],
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
