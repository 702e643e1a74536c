// Over 400 lines on purpose: every test of the runner shares one pair of real servers started once for the file;
// a second file would start its own.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startTestServers, tempDir, type TestServers } from '../../test/support/servers.js';
import {
  listMigrations,
  makeMigration,
  migrate,
  MigrationError,
  migrationStatus,
  sanitizeMigrationName,
  throwIfFailed,
  type MigrateProgressEvent,
  type MigrationTarget,
} from './index.js';

const REPO_MIGRATIONS = fileURLToPath(new URL('../../../migrations', import.meta.url));
const LAB_SERVER_DIR = fileURLToPath(new URL('../..', import.meta.url));
const INDEX_MODULE = fileURLToPath(new URL('./index.ts', import.meta.url));
const BASE = ['1764000000000_accounts', '1764000100000_users', '1764000200000_users_accounts', '1764000300000_user_indexes'];
const LOCK_ID = '7241865325823964'; // node-pg-migrate's PG_MIGRATE_LOCK_ID

let t: TestServers;
let dbCount = 0;
const tmpDirs: string[] = [];
/** The runner is tested on the first four repository migrations, so later schema work does not change these tests. */
let BASE_DIR: string;

beforeAll(async () => {
  t = await startTestServers(2);
  BASE_DIR = await tempDir('migrations');
  tmpDirs.push(BASE_DIR);
  await Promise.all(BASE.map((m) => fsp.copyFile(path.join(REPO_MIGRATIONS, `${m}.sql`), path.join(BASE_DIR, `${m}.sql`))));
});
afterAll(async () => {
  await t?.stop();
  await Promise.all(tmpDirs.map((d) => fsp.rm(d, { recursive: true, force: true })));
});

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client(url);
  c.on('error', () => undefined);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** A fresh empty database on every server, as targets `shard-0`, `shard-1`. */
async function freshTargets(): Promise<MigrationTarget[]> {
  const db = `mig_${++dbCount}`;
  return Promise.all(
    t.urls.map(async (url, i) => {
      await withClient(url, (c) => c.query(`CREATE DATABASE ${db}`));
      const u = new URL(url);
      u.pathname = `/${db}`;
      return { name: `shard-${i}`, url: u.toString() };
    }),
  );
}

/** A private copy of the repository's migrations, so a test can add files. */
async function copyMigrations(): Promise<string> {
  const dir = await tempDir('migrations');
  tmpDirs.push(dir);
  await fsp.cp(BASE_DIR, dir, { recursive: true });
  return dir;
}

async function writeMigration(dir: string, name: string, up: string, down = '', first = ''): Promise<void> {
  await fsp.writeFile(path.join(dir, `${name}.sql`), `${first}-- Up Migration\n${up}\n\n-- Down Migration\n${down}\n`);
}

async function rows<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  return withClient(url, async (c) => (await c.query<T>(sql, params)).rows);
}

async function publicTables(url: string): Promise<string[]> {
  const r = await rows<{ table_name: string }>(url, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name");
  return r.map((x) => x.table_name);
}

async function userIndexes(url: string): Promise<{ name: string; valid: boolean; def: string }[]> {
  return rows(
    url,
    `
    SELECT i.indexname AS name, x.indisvalid AS valid, i.indexdef AS def
      FROM pg_indexes i JOIN pg_class c ON c.relname = i.indexname AND c.relnamespace = 'public'::regnamespace
      JOIN pg_index x ON x.indexrelid = c.oid
     WHERE i.schemaname = 'public' AND i.indexname LIKE 'idx_%' ORDER BY 1`,
  );
}

async function until<T>(what: string, fn: () => Promise<T | null | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== null && v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The backend of a migration run that is inside pg_sleep on this target's database. */
async function sleepingBackend(target: MigrationTarget): Promise<number> {
  const db = new URL(target.url).pathname.slice(1);
  return until(
    `pg_sleep on ${target.name}`,
    async () =>
      (
        await rows<{ pid: number }>(
          target.url,
          "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND query LIKE '%pg_sleep%' AND pid <> pg_backend_pid()",
          [db],
        )
      )[0]?.pid,
  );
}

async function migrationLockHolders(target: MigrationTarget): Promise<number> {
  const r = await rows<{ n: number }>(
    target.url,
    "SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND d.datname = current_database() AND ((l.classid::bigint << 32) | l.objid::bigint) = $1::bigint",
    [LOCK_ID],
  );
  return r[0]!.n;
}

describe('migrate latest / status', () => {
  it('applies every migration on every shard and status shows them', async () => {
    const targets = await freshTargets();
    const dir = await copyMigrations();
    await fsp.writeFile(path.join(dir, 'README.md'), 'not a migration');
    expect(await listMigrations(dir)).toEqual(BASE);

    const before = await migrationStatus(targets, dir);
    expect(before.map((s) => [s.shard, s.applied, s.pending, s.error])).toEqual(targets.map((x) => [x.name, [], BASE, null]));

    const events: MigrateProgressEvent[] = [];
    const report = await migrate(targets, dir, 'latest', { onProgress: (e) => events.push(e) });
    expect(report).toEqual({ action: 'latest', ok: true, shards: targets.map((x) => ({ shard: x.name, ran: BASE, error: null })) });
    for (const x of targets) {
      expect(events.filter((e) => e.shard === x.name).map((e) => `${e.phase}:${e.migration}`)).toEqual(BASE.flatMap((m) => [`start:${m}`, `done:${m}`]));
    }

    const status = await migrationStatus(targets, dir);
    for (const s of status) {
      expect(s.error).toBeNull();
      expect(s.pending).toEqual([]);
      expect(s.applied.map((a) => a.name)).toEqual(BASE);
      for (const a of s.applied) {
        expect(a.run_on).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        expect(Math.abs(Date.parse(a.run_on) - Date.now())).toBeLessThan(60_000);
      }
    }

    for (const x of targets) {
      expect(await publicTables(x.url)).toEqual(['accounts', 'lab_migrations', 'users', 'users_accounts']);
      const idx = await userIndexes(x.url);
      expect(idx.map((i) => i.name)).toEqual([
        'idx_accounts_email',
        'idx_accounts_username',
        'idx_users_accounts_account_id',
        'idx_users_created_at',
        'idx_users_name',
        'idx_users_ring_hash',
      ]);
      expect(idx.every((i) => i.valid)).toBe(true); // the CONCURRENTLY builds completed
      expect(idx.find((i) => i.name === 'idx_accounts_email')!.def).toMatch(/^CREATE UNIQUE INDEX/);
      expect(idx.find((i) => i.name === 'idx_users_created_at')!.def).toMatch(/\(created_at DESC, id DESC\)$/);

      const [ring] = await rows<{ is_generated: string; generation_expression: string; comment: string }>(
        x.url,
        `
        SELECT is_generated, generation_expression, col_description('users'::regclass, ordinal_position::int) AS comment
          FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'ring_hash'`,
      );
      expect(ring!.is_generated).toBe('ALWAYS');
      expect(ring!.generation_expression).toContain('md5');
      expect(ring!.comment).toMatch(/resharding/i);

      const fks = await rows<{ update_rule: string; delete_rule: string }>(
        x.url,
        'SELECT update_rule, delete_rule FROM information_schema.referential_constraints',
      );
      expect(fks).toEqual([
        { update_rule: 'CASCADE', delete_rule: 'CASCADE' },
        { update_rule: 'CASCADE', delete_rule: 'CASCADE' },
      ]);

      const cols = await rows<{ column_name: string; data_type: string }>(
        x.url,
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'lab_migrations' ORDER BY ordinal_position",
      );
      expect(cols).toEqual([
        { column_name: 'id', data_type: 'integer' },
        { column_name: 'name', data_type: 'character varying' },
        { column_name: 'run_on', data_type: 'timestamp without time zone' },
      ]);
      expect(await migrationLockHolders(x)).toBe(0); // released after the run
    }

    const again = await migrate(targets, dir, 'latest');
    expect(again.shards.map((s) => [s.ran, s.error])).toEqual([
      [[], null],
      [[], null],
    ]);
  });

  it('computes ring_hash as the first 4 bytes of md5(id text), big-endian, like the router', async () => {
    const [target] = await freshTargets();
    expect((await migrate([target!], REPO_MIGRATIONS, 'latest')).ok).toBe(true);
    const ids = ['123e4567-e89b-12d3-a456-426614174000', ...Array.from({ length: 50 }, () => crypto.randomUUID())];
    const got = await rows<{ id: string; ring_hash: string }>(
      target!.url,
      "INSERT INTO users (id, first_name, last_name) SELECT unnest($1::uuid[]), 'A', 'B' RETURNING id, ring_hash",
      [ids],
    );
    expect(got[0]).toEqual({ id: '123e4567-e89b-12d3-a456-426614174000', ring_hash: '993178332' });
    expect(993178332).toBe(0x3b32b2dc);
    for (const r of got) {
      expect(Number(r.ring_hash)).toBe(crypto.createHash('md5').update(r.id).digest().readUInt32BE(0));
    }
    const upper = await rows<{ ring_hash: string }>(
      target!.url,
      "INSERT INTO users (id, first_name, last_name) VALUES ('AAAAAAAA-E89B-12D3-A456-426614174000', 'A', 'B') RETURNING ring_hash",
    );
    expect(Number(upper[0]!.ring_hash)).toBe(crypto.createHash('md5').update('aaaaaaaa-e89b-12d3-a456-426614174000').digest().readUInt32BE(0));
  });

  it('reports an unreachable shard in status and migrate without throwing', async () => {
    const [target] = await freshTargets();
    const down: MigrationTarget = { name: 'shard-x', url: `postgres://postgres:postgres@127.0.0.1:${await freePort()}/messenger` };
    const status = await migrationStatus([target!, down], BASE_DIR);
    expect(status[0]).toEqual({ shard: 'shard-0', applied: [], pending: BASE, error: null });
    expect(status[1]).toMatchObject({ shard: 'shard-x', applied: [], pending: [] });
    expect(status[1]!.error).toMatch(/^shard-x: .*ECONNREFUSED/);

    const report = await migrate([target!, down], BASE_DIR, 'up');
    expect(report.ok).toBe(false);
    expect(report.shards[0]).toEqual({ shard: 'shard-0', ran: [BASE[0]], error: null });
    expect(report.shards[1]!.ran).toEqual([]);
    expect(report.shards[1]!.error).toMatchObject({ migration: null, message: expect.stringMatching(/^shard-x: cannot connect: .*ECONNREFUSED/) });
  });
});

describe("the repository's migrations", () => {
  it('all apply, and all roll back to an empty schema', async () => {
    const [target] = await freshTargets();
    const all = await listMigrations(REPO_MIGRATIONS);
    expect((await migrate([target!], REPO_MIGRATIONS, 'latest')).shards[0]).toEqual({ shard: 'shard-0', ran: all, error: null });
    for (const name of [...all].reverse()) {
      expect((await migrate([target!], REPO_MIGRATIONS, 'down')).shards[0]).toEqual({ shard: 'shard-0', ran: [name], error: null });
    }
    expect(await publicTables(target!.url)).toEqual(['lab_migrations']);
  });
});

describe('migrate up / down', () => {
  it('up applies exactly the next migration per shard; down rolls back exactly the last one', async () => {
    const targets = await freshTargets();
    const [a, b] = targets as [MigrationTarget, MigrationTarget];
    const dir = BASE_DIR;
    const ran = async (action: 'up' | 'down' | 'latest', on = targets) => {
      const r = await migrate(on, dir, action);
      expect(r.ok, JSON.stringify(r)).toBe(true);
      return r.shards.map((s) => s.ran);
    };

    expect(await ran('up', [a])).toEqual([[BASE[0]]]);
    expect(await publicTables(a.url)).toEqual(['accounts', 'lab_migrations']);
    // Each shard takes its own next migration.
    expect(await ran('up')).toEqual([[BASE[1]], [BASE[0]]]);
    expect(await publicTables(a.url)).toEqual(['accounts', 'lab_migrations', 'users']);
    const status = await migrationStatus(targets, dir);
    expect(status.map((s) => s.pending)).toEqual([BASE.slice(2), BASE.slice(1)]);

    expect(await ran('down')).toEqual([[BASE[1]], [BASE[0]]]);
    expect(await publicTables(a.url)).toEqual(['accounts', 'lab_migrations']);
    expect(await publicTables(b.url)).toEqual(['lab_migrations']);

    expect(await ran('latest')).toEqual([BASE.slice(1), BASE]);
    // Down of the non-transactional index migration: its indexes go, the tables stay.
    expect(await ran('down')).toEqual([[BASE[3]], [BASE[3]]]);
    for (const x of targets) {
      expect((await userIndexes(x.url)).map((i) => i.name)).toEqual(['idx_accounts_email', 'idx_accounts_username', 'idx_users_accounts_account_id']);
      expect(await publicTables(x.url)).toEqual(['accounts', 'lab_migrations', 'users', 'users_accounts']);
    }
    expect(await ran('down')).toEqual([[BASE[2]], [BASE[2]]]);
    expect(await publicTables(a.url)).toEqual(['accounts', 'lab_migrations', 'users']);
    expect(await ran('down')).toEqual([[BASE[1]], [BASE[1]]]);
    expect(await ran('down')).toEqual([[BASE[0]], [BASE[0]]]);
    for (const x of targets) {
      expect(await publicTables(x.url)).toEqual(['lab_migrations']);
      expect(await userIndexes(x.url)).toEqual([]);
      expect(await rows(x.url, 'SELECT * FROM lab_migrations')).toEqual([]);
    }
    expect(await ran('down')).toEqual([[], []]); // nothing left to roll back
  });
});

describe('failures', () => {
  it('a migration failing on one shard stops only that shard, rolled back; a later latest resumes', async () => {
    const targets = await freshTargets();
    const dir = await copyMigrations();
    await writeMigration(dir, '1764000400000_bad', 'CREATE TABLE bad_side (id int);\nCREATE TABLE probe (id int);', 'DROP TABLE probe;\nDROP TABLE bad_side;');
    await writeMigration(dir, '1764000500000_after', 'CREATE TABLE after_bad (id int);', 'DROP TABLE after_bad;');
    await rows(targets[1]!.url, 'CREATE TABLE probe (id int)'); // only shard-1 has it: the migration fails there

    const report = await migrate(targets, dir, 'latest');
    expect(report.ok).toBe(false);
    expect(report.shards[0]).toEqual({ shard: 'shard-0', ran: [...BASE, '1764000400000_bad', '1764000500000_after'], error: null });
    expect(report.shards[1]!.ran).toEqual(BASE);
    expect(report.shards[1]!.error!.migration).toBe('1764000400000_bad');
    expect(report.shards[1]!.error!.message).toBe(
      'shard-1: migration 1764000400000_bad failed: relation "probe" already exists (SQLSTATE 42P07) (rolled back)',
    );
    expect(await publicTables(targets[1]!.url)).toEqual(['accounts', 'lab_migrations', 'probe', 'users', 'users_accounts']);
    expect((await migrationStatus(targets, dir))[1]!.pending).toEqual(['1764000400000_bad', '1764000500000_after']);
    expect(await migrationLockHolders(targets[1]!)).toBe(0);

    expect(() => throwIfFailed(report)).toThrow(MigrationError);
    const err = new MigrationError(report);
    expect(err.report).toBe(report);
    expect(err.message).toContain('failed on 1 of 2 shard(s): shard-1: migration 1764000400000_bad failed');

    await writeMigration(dir, '1764000400000_bad', 'CREATE TABLE bad_side (id int);\nCREATE TABLE IF NOT EXISTS probe (id int);', 'DROP TABLE bad_side;');
    const resumed = await migrate(targets, dir, 'latest');
    expect(resumed).toEqual({
      action: 'latest',
      ok: true,
      shards: [
        { shard: 'shard-0', ran: [], error: null },
        { shard: 'shard-1', ran: ['1764000400000_bad', '1764000500000_after'], error: null },
      ],
    });
    expect(throwIfFailed(resumed)).toBe(resumed);
  });

  it('a failing no-transaction migration keeps its earlier statements and says so', async () => {
    const [target] = await freshTargets();
    const dir = await copyMigrations();
    await writeMigration(
      dir,
      '1764000400000_half',
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_half ON users (email);\nCREATE INDEX CONCURRENTLY idx_broken ON nowhere (x);',
      'DROP INDEX CONCURRENTLY IF EXISTS idx_half;',
      '-- lab:no-transaction\n',
    );
    const report = await migrate([target!], dir, 'latest');
    expect(report.shards[0]!.ran).toEqual(BASE);
    expect(report.shards[0]!.error).toEqual({
      migration: '1764000400000_half',
      message:
        'shard-0: migration 1764000400000_half failed: relation "nowhere" does not exist (SQLSTATE 42P01) (it runs outside a transaction: its statements before the failing one stay applied)',
    });
    expect((await userIndexes(target!.url)).map((i) => i.name)).toContain('idx_half');
    expect((await migrationStatus([target!], dir))[0]!.pending).toEqual(['1764000400000_half']);
  });
});

describe('lock', () => {
  it('a run whose connection died (runner crash) leaves no lock behind', async () => {
    const targets = await freshTargets();
    const dir = await copyMigrations();
    await writeMigration(dir, '1764000400000_sleep', 'SELECT pg_sleep(30);');
    const running = migrate([targets[0]!], dir, 'latest');
    const pid = await sleepingBackend(targets[0]!);
    expect(await migrationLockHolders(targets[0]!)).toBe(1);
    await rows(t.urls[0]!, 'SELECT pg_terminate_backend($1)', [pid]);

    const dead = await running;
    expect(dead.shards[0]!.ran).toEqual(BASE);
    expect(dead.shards[0]!.error).toMatchObject({
      migration: '1764000400000_sleep',
      message: expect.stringMatching(/^shard-0: migration 1764000400000_sleep failed: .*terminat/i),
    });
    await until('lock release', async () => (await migrationLockHolders(targets[0]!)) === 0 || null);

    await fsp.rm(path.join(dir, '1764000400000_sleep.sql'));
    const next = await migrate(targets, dir, 'latest');
    expect(next.shards).toEqual([
      { shard: 'shard-0', ran: [], error: null },
      { shard: 'shard-1', ran: BASE, error: null },
    ]);
  });

  it('a killed runner process does not keep the lock while its statement would still run', async () => {
    const [target] = await freshTargets();
    const dir = await copyMigrations();
    await writeMigration(dir, '1764000400000_sleep', 'SELECT pg_sleep(30);');
    const script = path.join(dir, 'run.mts');
    await fsp.writeFile(
      script,
      `import { migrate } from ${JSON.stringify(INDEX_MODULE)};\n` + `await migrate([${JSON.stringify(target)}], ${JSON.stringify(dir)}, 'latest');\n`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: LAB_SERVER_DIR, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await sleepingBackend(target!);
      expect(await migrationLockHolders(target!)).toBe(1);
      child.kill('SIGKILL');
      await exited;
      // The backend is inside pg_sleep(30); client_connection_check_interval makes it notice the dead client.
      await until('lock release after kill', async () => (await migrationLockHolders(target!)) === 0 || null, 5_000);
    } finally {
      child.kill('SIGKILL');
    }
    await fsp.rm(path.join(dir, '1764000400000_sleep.sql'));
    expect(await migrate([target!], dir, 'latest')).toEqual({ action: 'latest', ok: true, shards: [{ shard: 'shard-0', ran: [], error: null }] });
  });

  it('a concurrent run gets a clear lock error; aborting the first run cancels its migration', async () => {
    const targets = await freshTargets();
    const dir = await copyMigrations();
    await writeMigration(dir, '1764000400000_sleep', 'CREATE TABLE sleeper (id int);\nSELECT pg_sleep(30);', 'DROP TABLE sleeper;');
    const ac = new AbortController();
    const first = migrate(targets, dir, 'latest', { signal: ac.signal });
    await Promise.all(targets.map(sleepingBackend));

    const second = await migrate(targets, dir, 'latest');
    expect(second).toEqual({
      action: 'latest',
      ok: false,
      shards: targets.map((x) => ({ shard: x.name, ran: [], error: { migration: null, message: `another migration run holds the lock on ${x.name}` } })),
    });
    expect((await migrate(targets, dir, 'down')).shards[1]!.error!.message).toBe('another migration run holds the lock on shard-1');

    ac.abort();
    const aborted = await first;
    for (const s of aborted.shards) {
      expect(s.ran).toEqual(BASE);
      expect(s.error).toEqual({
        migration: '1764000400000_sleep',
        message: `${s.shard}: migration 1764000400000_sleep aborted: canceling statement due to user request (SQLSTATE 57014) (rolled back)`,
      });
    }
    for (const x of targets) expect(await publicTables(x.url)).not.toContain('sleeper');
    expect((await migrationStatus(targets, dir)).map((s) => s.pending)).toEqual([['1764000400000_sleep'], ['1764000400000_sleep']]);

    const already = new AbortController();
    already.abort();
    expect((await migrate(targets, dir, 'latest', { signal: already.signal })).shards[0]!.error).toEqual({
      migration: null,
      message: 'shard-0: aborted before start',
    });
  });
});

describe('makeMigration', () => {
  it('sanitises the name, writes both sections, sorts last and runs', async () => {
    const dir = await copyMigrations();
    expect(sanitizeMigrationName('  Add Users-Table 2! ')).toBe('add_userstable_2');
    const file = await makeMigration(dir, '  Add Users-Table 2! ');
    expect(path.dirname(file)).toBe(dir);
    expect(path.basename(file)).toMatch(/^\d{13}_add_userstable_2\.sql$/);
    const content = await fsp.readFile(file, 'utf8');
    expect(content).toMatch(/^-- Up Migration$/m);
    expect(content).toMatch(/^-- Down Migration$/m);
    const second = await makeMigration(dir, 'next');
    const names = await listMigrations(dir);
    expect(names.slice(0, 4)).toEqual(BASE);
    expect(names.slice(4)).toEqual([path.basename(file, '.sql'), path.basename(second, '.sql')]);
    expect(Number(names[5]!.split('_')[0])).toBeGreaterThan(Number(names[4]!.split('_')[0]));

    await expect(makeMigration(dir, '!!! ???')).rejects.toThrow(/invalid migration name/);
    await expect(makeMigration(dir, '   ')).rejects.toThrow(/invalid migration name/);
    expect(await listMigrations(dir)).toHaveLength(6);

    // The untouched template is a valid (empty) migration both ways.
    const [target] = await freshTargets();
    expect((await migrate([target!], dir, 'latest')).shards[0]!.ran).toHaveLength(6);
    expect((await migrate([target!], dir, 'down')).shards[0]).toEqual({ shard: 'shard-0', ran: [path.basename(second, '.sql')], error: null });
  });

  it('rejects a malformed .sql file name before touching any shard', async () => {
    const dir = await copyMigrations();
    await fsp.writeFile(path.join(dir, 'oops.sql'), 'SELECT 1;');
    await expect(listMigrations(dir)).rejects.toThrow(/not a valid migration file name/);
    await expect(migrate([{ name: 'shard-0', url: 'postgres://nowhere.invalid/x' }], dir, 'latest')).rejects.toThrow(/oops\.sql/);
  });
});
