import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { REPO_ROOT } from '../src/config.js';
import { MAX_CONSOLE_CONNECTIONS, SqlError, SqlSession } from '../src/console/sql.js';
import { MAX_TERMINALS } from '../src/http/console-socket.js';
import { queryServer, startTestLab, type ErrorReply, type TestLab } from './support/lab.js';
import { startTestServers } from './support/servers.js';

/**
 * The lab tried as an attacker would: from a web page the learner happens to visit (another origin, simple
 * requests, a rebinding host name) and from the SQL console. Nothing may act, nothing may leak.
 */
let t: TestLab;
beforeAll(async () => {
  t = await startTestLab(2);
});
afterAll(async () => {
  await t?.stop();
});

const EVIL = 'http://evil.example';
const userCount = async () => (await t.call<{ total_users: number }>('GET', '/api/v1/shards/stats')).body.total_users;
const snapshot = async () => {
  const topology = (await t.call<{ jobs: unknown[]; shards: { name: string; status: string }[] }>('GET', '/lab/v1/topology')).body;
  const migrations = (await t.call('GET', '/lab/v1/migrations')).body;
  return { users: await userCount(), jobs: topology.jobs.length, shards: topology.shards.map((s) => `${s.name}:${s.status}`), migrations };
};

/** Every acting route the issue found open to a simple cross-site request. */
const ACTING: [string, string][] = [
  ['POST', '/lab/v1/chapters/overview/reset'],
  ['POST', '/lab/v1/shards'],
  ['POST', '/lab/v1/shards/shard-1/pause'],
  ['POST', '/lab/v1/migrations/down'],
  ['POST', '/lab/v1/chapters/overview/exercises/first-user/solve'],
  ['POST', '/api/v1/users'],
  ['DELETE', '/lab/v1/shards/shard-1'],
];

describe('another web site', () => {
  it('cannot act through simple requests (text/plain, forms), with or without an Origin', async () => {
    expect((await t.call('POST', '/api/v1/users', { first_name: 'Kept', last_name: 'Row' })).status).toBe(201);
    const before = await snapshot();
    const attempts: Record<string, string>[] = [
      { origin: EVIL, 'content-type': 'text/plain' },
      { origin: EVIL, 'content-type': 'application/x-www-form-urlencoded' },
      { origin: EVIL, 'content-type': 'multipart/form-data; boundary=x' },
      { origin: 'null', 'content-type': 'text/plain' },
      { 'sec-fetch-site': 'cross-site', 'content-type': 'text/plain' },
      // A browser that sent no Origin still cannot make a simple request look like JSON.
      { 'content-type': 'text/plain' },
    ];
    for (const [method, route] of ACTING) {
      for (const headers of attempts) {
        const r = await t.call<ErrorReply>(method, route, '{"first_name":"Eve","last_name":"X"}', headers);
        expect([403, 415], `${method} ${route} ${JSON.stringify(headers)}`).toContain(r.status);
        expect(r.body.error.code).toMatch(/^(cross_origin|unsupported_media_type)$/);
      }
    }
    expect(await snapshot()).toEqual(before);
  });

  it('cannot read the lab either: a foreign Origin is refused on GET too', async () => {
    const r = await t.call<ErrorReply>('GET', '/lab/v1/topology', undefined, { origin: EVIL });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('cross_origin');
  });

  it('is not served under a rebinding host name, on HTTP or on the terminal’s WebSocket', async () => {
    for (const [method, route, body] of [
      ['GET', '/lab/v1/topology', undefined],
      ['GET', '/api/v1/users/00000000-0000-7000-8000-000000000000', undefined],
      ['POST', '/lab/v1/sql', { shard: 'shard-0', sql: 'SELECT 1' }],
    ] as const) {
      const r = await withHost('evil.example:8080', method, route, body);
      expect(r.status, `${method} ${route}`).toBe(421);
      expect((r.body as ErrorReply).error.code).toBe('host_not_allowed');
    }
    const ws = new WebSocket(`${t.url.replace('http', 'ws')}/lab/v1/console`, { headers: { host: 'evil.example:8080', origin: 'http://evil.example:8080' } });
    ws.on('error', () => undefined);
    const status = await new Promise<number>((resolve) => ws.on('unexpected-response', (req, res) => (resolve(res.statusCode ?? 0), req.destroy())));
    expect(status).toBe(421);
    // Another port on loopback is another origin: a local dev server's page cannot open the terminal.
    const other = new WebSocket(`${t.url.replace('http', 'ws')}/lab/v1/console`, { headers: { origin: 'http://127.0.0.1:1' } });
    other.on('error', () => undefined);
    expect(await new Promise<number>((resolve) => other.on('unexpected-response', (req, res) => (resolve(res.statusCode ?? 0), req.destroy())))).toBe(403);
  });

  it('leaves the lab’s own page, curl and the CLI working as before', async () => {
    const own = { origin: t.url, 'sec-fetch-site': 'same-origin' };
    expect((await t.call('POST', '/api/v1/users', { first_name: 'Own', last_name: 'Page' }, own)).status).toBe(201);
    expect((await t.call('POST', '/lab/v1/shards/plan', {}, own)).status).toBe(200);
    // curl -X POST with no body and no Content-Type
    expect((await t.call('POST', '/lab/v1/shards/plan')).status).toBe(200);
    expect((await withHost(`localhost:${new URL(t.url).port}`, 'GET', '/lab/v1/topology')).status).toBe(200);
    expect((await t.call('GET', '/lab/v1/topology', undefined, { origin: t.url })).status).toBe(200);
  });
});

describe('input PostgreSQL cannot store, and odd requests', () => {
  it('refuses U+0000 and lone surrogates in any text field with a 400 naming the field, and writes nothing', async () => {
    const before = await userCount();
    for (const first_name of ['a\u0000b', 'a\ud800b']) {
      const r = await t.call<ErrorReply & { error: { details: { fields: { field: string }[] } } }>('POST', '/api/v1/users', { first_name, last_name: 'X' });
      expect(r.status).toBe(400);
      expect(r.body.error.details.fields.map((f) => f.field)).toEqual(['first_name']);
    }
    const sql = await t.call<ErrorReply>('POST', '/lab/v1/sql', { shard: 'shard-0', sql: "SELECT 'a\u0000b'" });
    expect(sql.status).toBe(400);
    expect(await userCount()).toBe(before);
  });

  it('refuses a cursor that names a date that does not exist (was a 500)', async () => {
    const cursor = (created_at: string) => Buffer.from(JSON.stringify([created_at, '0190d4e2-8f0a-7000-8000-000000000000'])).toString('base64url');
    for (const bad of ['2024-02-30T00:00:00.000Z', '2024-13-01T00:00:00Z', '2024-01-01T25:00:00Z']) {
      const r = await t.call<ErrorReply>('GET', `/api/v1/users?cursor=${cursor(bad)}`);
      expect(r.status, bad).toBe(400);
      expect(r.body.error.code).toBe('invalid_cursor');
    }
    expect((await t.call('GET', `/api/v1/users?cursor=${cursor('2024-02-29T00:00:00.000Z')}`)).status).toBe(200);
  });

  it('answers a missing asset, an unknown method and an unparsable request in the JSON error shape, naming no path on disk', async () => {
    const asset = await t.call<ErrorReply>('GET', '/assets/nope.js');
    expect(asset.status).toBe(404);
    expect(asset.body.error.code).toBe('route_not_found');
    expect(JSON.stringify(asset.body)).not.toContain(REPO_ROOT);
    const patch = await t.call<ErrorReply>('PATCH', '/api/v1/users', { first_name: 'x' });
    expect(patch.status).toBe(404);
    expect(patch.body.error.code).toBe('route_not_found');
    const raw = await rawRequest(new URL(t.url).port, 'BREW / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect(raw).toMatch(/^HTTP\/1\.1 400/);
    expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toMatchObject({ error: { code: 'bad_request' } });
  });
});

describe('the SQL console', () => {
  const sql = (text: string, explain?: 'plan' | 'analyze') =>
    t.call<ErrorReply & { results: { rows: string[][] }[] }>('POST', '/lab/v1/sql', { shard: 'shard-0', sql: text, ...(explain ? { explain } : {}) });

  it('runs as a role that is not a superuser, and can still do what the chapters need', async () => {
    expect((await sql('SELECT current_user, usesuper FROM pg_user WHERE usename = current_user')).body.results[0]!.rows).toEqual([['lab_console', 'false']]);
    expect((await sql('SELECT count(*) FROM users')).status).toBe(200);
    expect((await sql("UPDATE users SET last_name = last_name WHERE first_name = 'nobody'")).status).toBe(200);
    expect((await sql('SELECT count(*) FROM pg_stat_activity')).status).toBe(200);
    expect((await sql('SELECT * FROM users WHERE id = gen_random_uuid()', 'analyze')).status).toBe(200);
  });

  it('cannot reach the host: no programs, no server files, no ALTER SYSTEM, no extensions, no bookkeeping', async () => {
    for (const text of [
      "COPY (SELECT 1) TO PROGRAM 'touch /tmp/shard-lab-pwned'",
      "COPY users FROM PROGRAM 'id'",
      "COPY (SELECT 1) TO '/tmp/shard-lab-pwned'",
      "SELECT pg_read_file('/etc/passwd')",
      "SELECT pg_ls_dir('.')",
      "SELECT lo_import('/etc/passwd')",
      "ALTER SYSTEM SET work_mem = '1GB'",
      'CREATE EXTENSION dblink',
      'CREATE EXTENSION postgres_fdw',
      'CREATE TABLE planted (x int)',
      'DELETE FROM lab_migrations',
      'SET session_replication_role = replica',
      'ALTER ROLE lab_console SUPERUSER',
    ]) {
      const r = await sql(text);
      expect(r.status, text).toBe(400);
      expect(r.body.error.code, text).toBe('sql_failed');
    }
    // And nothing of it happened, seen as the lab's own superuser.
    const [row] = await queryServer<{ planted: string | null; migrations: string }>(
      t.shardUrls[0]!,
      "SELECT to_regclass('planted')::text AS planted, (SELECT count(*) FROM lab_migrations)::text AS migrations",
    );
    expect(row!.planted).toBeNull();
    expect(Number(row!.migrations)).toBeGreaterThan(0);
    expect(await queryServer(t.shardUrls[0]!, "SELECT 1 FROM pg_extension WHERE extname IN ('dblink', 'postgres_fdw')")).toEqual([]);
  });

  it('runs one statement per request, so nothing can follow EXPLAIN ANALYZE’s rollback', async () => {
    const escaped = await sql('SELECT 1; COMMIT; CREATE TABLE escaped (x int)', 'analyze');
    expect(escaped.status).toBe(400);
    expect(escaped.body.error.message).toMatch(/one statement at a time/);
    const write = await sql("INSERT INTO users (id, first_name, last_name) VALUES ('0190d4e2-8f0a-7000-8000-0000000000aa', 'Explained', 'Only')", 'analyze');
    expect(write.status).toBe(200);
    expect(await queryServer(t.shardUrls[0]!, "SELECT 1 FROM users WHERE first_name = 'Explained'")).toEqual([]);
    expect(await queryServer(t.shardUrls[0]!, "SELECT to_regclass('escaped')::text AS t")).toEqual([{ t: null }]);
  });

  it('cancels a statement past the limit even after SET statement_timeout = 0', async () => {
    const shard = t.running.lab.cluster.shards[0]!;
    const session = await SqlSession.open(shard, { statementTimeoutMs: 1_000 });
    try {
      await session.run('SET statement_timeout = 0');
      const err = await session.run('SELECT pg_sleep(60)').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SqlError);
      expect((err as SqlError).sqlstate).toBe('57014');
      expect(await session.run('SELECT 1')).toMatchObject({ results: [{ rows: [['1']] }] });
    } finally {
      await session.close();
    }
  });

  it('ends the backend when its client goes, even mid-statement', async () => {
    const shard = t.running.lab.cluster.shards[0]!;
    const session = await SqlSession.open(shard);
    const sleeping = session.run('SELECT pg_sleep(30) AS marker_for_the_close_test').catch((e: unknown) => e);
    await expect.poll(() => activeSleeps()).toBe(1);
    await session.close();
    await expect.poll(() => activeSleeps()).toBe(0);
    expect(await sleeping).toBeInstanceOf(Error);
  });

  it('bounds console connections and terminals, with a clear message', async () => {
    const shard = t.running.lab.cluster.shards[0]!;
    const sessions = await Promise.all(Array.from({ length: MAX_CONSOLE_CONNECTIONS }, () => SqlSession.open(shard)));
    try {
      const busy = await sql('SELECT 1');
      expect(busy.status).toBe(429);
      expect(busy.body.error.code).toBe('console_busy');
    } finally {
      await Promise.all(sessions.map((s) => s.close()));
    }
    expect((await sql('SELECT 1')).status).toBe(200);

    const open: WebSocket[] = [];
    try {
      for (let i = 0; i < MAX_TERMINALS; i++) open.push(await terminal(t.url));
      const extra = new WebSocket(`${t.url.replace('http', 'ws')}/lab/v1/console`);
      const first = await new Promise<{ type: string; message?: string }>((resolve) => extra.once('message', (d) => resolve(JSON.parse(String(d)))));
      expect(first).toMatchObject({ type: 'error', message: expect.stringMatching(/terminals are already open/) });
      await new Promise((resolve) => extra.once('close', resolve));
    } finally {
      for (const ws of open) ws.close();
    }
  });
});

describe('a lab bound beyond loopback', () => {
  it('asks for the token only from other machines, and turns the printed URL into a cookie', async () => {
    const token = 'token-for-the-wide-lab-test';
    const wide = await startTestLab(1, { LAB_HOST: '0.0.0.0', LAB_TOKEN: token });
    try {
      const url = `http://127.0.0.1:${new URL(wide.url).port}`;
      // This machine's clients pass as on a loopback-bound lab: the CLI and the load generator need no token.
      expect((await fetch(`${url}/lab/v1/topology`)).status).toBe(200);
      const opened = await fetch(`${url}/?token=${token}&chapter=1`, { headers: { accept: 'text/html' }, redirect: 'manual' });
      expect(opened.status).toBe(303);
      expect(opened.headers.get('location')).toBe('/?chapter=1');
      expect(opened.headers.get('set-cookie')).toBe(`lab_token=${token}; HttpOnly; SameSite=Strict; Path=/`);
      const wrong = await fetch(`${url}/?token=not-the-token`, { headers: { accept: 'text/html' }, redirect: 'manual' });
      expect(wrong.status).toBe(200);
      expect(wrong.headers.get('set-cookie')).toBeNull();
    } finally {
      await wide.stop();
    }
  });
});

describe('a load test', () => {
  it('does not outlive a lab that was killed (SIGKILL)', async () => {
    const servers = await startTestServers(2);
    const lab = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'lab-server/src/main.ts')], {
      env: { ...process.env, PORT: '0', LAB_SHARDS: servers.urls[0]!, LAB_CATALOG_URL: servers.urls[1]!, LAB_HEALTH_INTERVAL_MS: '200' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let child = 0;
    try {
      let out = '';
      lab.stdout.on('data', (c: Buffer) => (out += c.toString()));
      lab.stderr.on('data', (c: Buffer) => (out += c.toString()));
      await expect.poll(() => out, { timeout: 60_000 }).toMatch(/ready at (http:\/\/\S+)/);
      const url = /ready at (http:\/\/\S+)/.exec(out)![1]!;
      const started = await fetch(`${url}/lab/v1/loadtests`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ scenario: 'smoke', duration_s: 60, warmup_s: 0 }),
      });
      expect(started.status).toBe(202);
      const { id } = (await started.json()) as { id: string };
      await expect
        .poll(async () => ((await (await fetch(`${url}/lab/v1/loadtests/${id}`)).json()) as { pid: number | null }).pid, { timeout: 30_000 })
        .toBeGreaterThan(0);
      child = ((await (await fetch(`${url}/lab/v1/loadtests/${id}`)).json()) as { pid: number }).pid;
      lab.kill('SIGKILL');
      await expect.poll(() => alive(child), { timeout: 15_000 }).toBe(false);
    } finally {
      if (lab.exitCode === null) lab.kill('SIGKILL');
      if (child && alive(child)) process.kill(child, 'SIGKILL');
      await servers.stop();
    }
  });
});

/** fetch() will not send another Host header; node:http will, as a rebinding browser does. */
function withHost(host: string, method: string, route: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${t.url}${route}`, { method, headers: { host, ...(body ? { 'content-type': 'application/json' } : {}) } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
    });
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

async function activeSleeps(): Promise<number> {
  const rows = await queryServer<{ n: string }>(
    t.shardUrls[0]!,
    "SELECT count(*)::text AS n FROM pg_stat_activity WHERE query LIKE '%marker_for_the_close_test%' AND pid <> pg_backend_pid()",
  );
  return Number(rows[0]!.n);
}

function terminal(url: string): Promise<WebSocket> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/lab/v1/console`);
  return new Promise((resolve, reject) => {
    ws.once('message', () => resolve(ws));
    ws.once('error', reject);
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function rawRequest(port: string, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(text));
    let out = '';
    socket.on('data', (c) => (out += c.toString()));
    socket.on('end', () => resolve(out));
    socket.on('error', reject);
  });
}
