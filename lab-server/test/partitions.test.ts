import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpLabClient } from '../src/cli/http-client.js';
import { measureClaim } from '../src/claims/measures.js';
import { plain, type CommandContext } from '../src/commands/command.js';
import { dispatch } from '../src/commands/dispatch.js';
import { SelfClient } from '../src/net/self-client.js';
import { runCli } from './support/cli.js';
import { startEmbeddedTestLab, type ErrorReply, type TestLab } from './support/lab.js';

/**
 * The Partitioning chapter's step on real shards: the messenger's own users rebuilt as hash partitions in place
 * (and back), PostgreSQL's placement, pruning, the API, resharding, failover, bad input, and the CLI. Each test
 * brings the shards to the state it needs, so any one of them runs alone.
 */
interface Report {
  table: string;
  shards: {
    shard_name: string;
    partitioned: boolean;
    modulus: number | null;
    users_rows: number;
    last_build: string | null;
    out_of_step: number;
    rows: number;
    partitions: { name: string; remainder: number | null; rows: number; table_bytes: number; index_bytes: number }[];
    skew_pct: number | null;
    chi_square: number | null;
    degrees_of_freedom: number | null;
    ring_hash_chi_square: number | null;
  }[];
}
interface Touch {
  planned: string[];
  scanned: string[];
  partitions_total: number;
  plan: string;
}
interface Pruning {
  id: string;
  by_id: Touch;
  by_id_runtime: Touch;
  by_name: Touch;
}

let t: TestLab;
const inspect = async () => (await t.call<Report>('GET', '/lab/v1/partitions')).body;
const sql = async (shard: string, statement: string) =>
  (await t.call<{ results: { rows: string[][] }[] }>('POST', '/lab/v1/sql', { shard, sql: statement })).body.results[0]!.rows;

interface Built {
  partitions: number | null;
  mode: string;
  shards: { shard_name: string; rows_copied: number; blocked_ms: number; ids_lost: number; ids_revived: number }[];
}
/** Starts a build (a job) and waits for it to end. */
const build = async (partitions: number, mode = 'online') => {
  const started = await t.call<{ job_id: string }>('POST', '/lab/v1/partitions', { partitions, mode });
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  const job = await t.running.lab.jobs.wait(started.body.job_id);
  return { job, built: job.result as unknown as Built };
};
const totalUsers = async () => (await t.call<{ total_users: number }>('GET', '/api/v1/shards/stats')).body.total_users;
/** At least `n` users on the shards, seeded when fewer. */
const ensureUsers = async (n: number) => {
  const short = n - (await totalUsers());
  if (short <= 0) return;
  const seeded = await t.call<{ job_id: string }>('POST', '/lab/v1/seed', { users: short });
  expect((await t.running.lab.jobs.wait(seeded.body.job_id)).state).toBe('succeeded');
};
/** users hash-partitioned `n` ways on every shard, by an online build when it is not. */
const ensureBuilt = async (n: number) => {
  if ((await inspect()).shards.every((s) => s.modulus === n)) return;
  expect((await build(n)).job.state).toBe('succeeded');
};
const waitingOnLock = () =>
  expect
    .poll(() => sql('shard-0', `SELECT count(*) FROM pg_stat_activity WHERE application_name = 'shard-lab-partitioning' AND wait_event_type = 'Lock'`), {
      timeout: 60_000,
    })
    .toEqual([['1']]);

beforeAll(async () => {
  t = await startEmbeddedTestLab(2);
  await ensureUsers(2000);
});
afterAll(async () => t?.stop());

describe("the messenger's users, hash-partitioned inside each shard", () => {
  it('refuses a lookup while users is a plain table, and reports every shard plain', async () => {
    expect((await t.call('DELETE', '/lab/v1/partitions')).status).toBe(200);
    const report = await inspect();
    expect(report.table).toBe('users');
    expect(report.shards.every((s) => !s.partitioned && s.users_rows > 0 && s.rows === 0)).toBe(true);
    const r = await t.call<ErrorReply>('GET', '/lab/v1/partitions/pruning?shard=shard-0');
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('not_partitioned');
  });

  it('rebuilds users in place as 8 hash partitions: the same rows, each where hash % 8 says, with its keys, indexes, trigger and foreign keys', async () => {
    expect((await t.call('DELETE', '/lab/v1/partitions')).status).toBe(200);
    const ids = async (shard: string) => (await sql(shard, "SELECT md5(string_agg(id::text, ',' ORDER BY id)), count(*) FROM users"))[0];
    const before = [await ids('shard-0'), await ids('shard-1')];
    const { job, built } = await build(8);
    const total = Number(before[0]![1]) + Number(before[1]![1]);
    expect(job).toMatchObject({ kind: 'repartition', state: 'succeeded', progress: { done: total, total } });
    expect(built.shards.map((s) => [s.ids_lost, s.ids_revived])).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect([await ids('shard-0'), await ids('shard-1')]).toEqual(before);
    const report = await inspect();
    expect(built.shards.reduce((n, s) => n + s.rows_copied, 0)).toBe(total);
    for (const s of report.shards) {
      expect(s).toMatchObject({ partitioned: true, modulus: 8, rows: s.users_rows, last_build: 'online', out_of_step: 0, degrees_of_freedom: 7 });
      expect(s.partitions.map((p) => p.name)).toEqual(Array.from({ length: 8 }, (_, r) => `users_p${r}`));
      expect(s.partitions.reduce((n, p) => n + p.rows, 0)).toBe(s.rows);
      expect(s.partitions.every((p) => p.table_bytes > 0 && p.index_bytes > 0)).toBe(true);
      const mean = s.rows / 8;
      expect(s.skew_pct).toBeCloseTo((100 * (Math.max(...s.partitions.map((p) => p.rows)) - mean)) / mean, 6);
      // The messenger's table itself, with its own names: key, indexes (one per partition each), the ring-hash trigger.
      expect(await sql(s.shard_name, `SELECT relkind::text FROM pg_class WHERE oid = 'users'::regclass`)).toEqual([['p']]);
      expect(await sql(s.shard_name, `SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = 'users'::regclass ORDER BY 1`)).toEqual([
        ['idx_users_created_at'],
        ['idx_users_name'],
        ['idx_users_ring_hash'],
        ['users_pkey'],
      ]);
      expect(await sql(s.shard_name, `SELECT count(*) FROM pg_index WHERE indrelid = 'users_p3'::regclass`)).toEqual([['4']]);
      expect(await sql(s.shard_name, `SELECT tgname FROM pg_trigger WHERE tgrelid = 'users'::regclass AND NOT tgisinternal`)).toEqual([['users_ring_hash']]);
      // Every foreign key that pointed at users points at the partitioned one, and is validated.
      expect(
        await sql(
          s.shard_name,
          `SELECT conrelid::regclass::text, convalidated::text FROM pg_constraint WHERE confrelid = 'users'::regclass AND contype = 'f' AND conparentid = 0 ORDER BY 1`,
        ),
      ).toEqual([
        ['abandoned_accounts', 'true'],
        ['accounts', 'true'],
        ['user_conversations', 'true'],
        ['users_accounts', 'true'],
      ]);
      expect(await sql(s.shard_name, `SELECT count(*) FROM pg_class WHERE starts_with(relname, 'users_next')`)).toEqual([['0']]);
    }
    // The other choice, measured on the same rows: ranges of the ring's own hash.
    const eighth = 2 ** 29;
    const filters = Array.from({ length: 8 }, (_, b) => `count(*) FILTER (WHERE ring_hash >= ${b * eighth} AND ring_hash < ${(b + 1) * eighth})`);
    const ranges = (await sql('shard-1', `SELECT ${filters.join(', ')} FROM users`))[0]!.map(Number);
    const mean = report.shards[1]!.users_rows / 8;
    const chi = ranges.reduce((x, c) => x + (c - mean) ** 2 / mean, 0);
    expect(report.shards[1]!.ring_hash_chi_square).toBeCloseTo(chi, 6);
    // PostgreSQL's own test of a partition bound: every row of users_p3 has hash(id) % 8 = 3, none of another's.
    const p3 = String(report.shards[0]!.partitions[3]!.rows);
    expect(await sql('shard-0', `SELECT count(*) FILTER (WHERE satisfies_hash_partition('users'::regclass, 8, 3, id)), count(*) FROM users_p3`)).toEqual([
      [p3, p3],
    ]);
    expect(await sql('shard-0', `SELECT count(*) FROM users_p2 WHERE satisfies_hash_partition('users'::regclass, 8, 3, id)`)).toEqual([['0']]);
  });

  it('serves the messenger from the partitions: a create lands in its partition with its ring hash, an update and a delete reach it, an account keeps its key', async () => {
    await ensureBuilt(8);
    const created = await t.call<{ id: string }>('POST', '/api/v1/users', { first_name: 'Grace', last_name: 'Hopper' });
    expect(created.status).toBe(201);
    const shard = created.headers.get('x-lab-shard')!;
    const id = created.body.id;
    expect(
      await sql(
        shard,
        `SELECT satisfies_hash_partition('users'::regclass, 8, substr(tableoid::regclass::text, 8)::int, id)::text, ring_hash = lab_ring_hash(id::text) FROM users WHERE id = '${id}'`,
      ),
    ).toEqual([['true', 'true']]);
    expect((await t.call('PUT', `/api/v1/users/${id}`, { first_name: 'Amazing', last_name: 'Grace' })).status).toBe(200);
    expect((await t.call<{ first_name: string }>('GET', `/api/v1/users/${id}`)).body.first_name).toBe('Amazing');
    // The foreign key from accounts holds against the partitioned table: an account for a missing user is refused.
    expect(await sql(shard, `SELECT count(*) FROM pg_constraint WHERE conname = 'accounts_user_id_fkey' AND confrelid = 'users'::regclass`)).toEqual([['1']]);
    const orphan = await t.call<{ results: unknown[]; error?: unknown }>('POST', '/lab/v1/sql', {
      shard,
      sql: `INSERT INTO user_conversations (user_id, conversation_id, title, joined_at) VALUES ('${randomUUID()}', '${randomUUID()}', 'x', now())`,
    });
    expect(JSON.stringify(orphan.body)).toMatch(/foreign key/);
    expect((await t.call('DELETE', `/api/v1/users/${id}`)).status).toBe(204);
    expect(await sql(shard, `SELECT count(*) FROM users WHERE id = '${id}'`)).toEqual([['0']]);
    expect((await t.call('GET', `/api/v1/users/${id}`)).status).toBe(404);
  });

  it('prunes: an id reads one partition while planning, an id from a subquery one while running, a name all eight', async () => {
    await ensureBuilt(8);
    const r = await t.call<Pruning>('GET', '/lab/v1/partitions/pruning?shard=shard-1');
    expect(r.status).toBe(200);
    const { by_id, by_id_runtime, by_name } = r.body;
    expect(by_id).toMatchObject({ partitions_total: 8 });
    expect(by_id.planned).toHaveLength(1);
    expect(by_id.scanned).toEqual(by_id.planned);
    expect(by_id_runtime.planned).toHaveLength(8);
    expect(by_id_runtime.scanned).toEqual(by_id.scanned);
    expect(by_id_runtime.plan).toMatch(/never executed/);
    expect(by_name.scanned).toHaveLength(8);
    // The named id is found in the partition the first plan chose.
    const chosen = await t.call<Pruning>('GET', `/lab/v1/partitions/pruning?shard=shard-1&id=${r.body.id}`);
    expect(chosen.body.by_id.scanned).toEqual(by_id.scanned);
    expect(await sql('shard-1', `SELECT tableoid::regclass::text FROM users WHERE id = '${r.body.id}'`)).toEqual([by_id.scanned]);
  });

  it("measures the chapter's claims on these shards: the lookup reads one partition, the copy is timed as a rate, the spread is judged against chance", async () => {
    await ensureBuilt(8);
    const claim = async (id: string) =>
      (await t.call<{ measured: string; verdict: string; why: string }>('POST', `/lab/v1/chapters/partitioning/claims/${id}/measure`, {})).body;
    const lookup = await claim('point-lookup');
    expect(lookup.measured).toMatch(/^A lookup by id on shard-0 read 1 of 8 partitions \(users_p\d\); execution [\d.]+ ms, the median of 5/);
    expect(['holds', 'unsettled']).toContain(lookup.verdict);
    // The chapter's spread claim is about 16 partitions; these shards have 8.
    expect(await claim('even-partitions')).toMatchObject({ verdict: 'unsettled', why: expect.stringContaining('partitions build 16') });
    // The copy-rate measure, at this test's scale: it tops the users up, rebuilds online and reports rows/s.
    const ctx = { lab: t.running.lab, api: new SelfClient(t.url) };
    const users = await totalUsers();
    const rate = await measureClaim(ctx, { kind: 'repartition', partitions: 8, users: users + 100, claimed_rows: 6_870_006, claimed_seconds: 38.6 });
    expect(rate.measured).toMatch(
      new RegExp(`^Copied ${(users + 100).toLocaleString('en-US')} users into 8 partitions on each of 2 shards in [\\d.]+ s \\([\\d,]+ rows/s\\), online`),
    );
    expect(rate.why).toMatch(/^The original: 6,870,006 rows in 38.6 s, 177,979 rows\/s; here [\d.]+× that rate/);
    expect((await inspect()).shards.every((s) => s.modulus === 8 && s.out_of_step === 0)).toBe(true);
    const spread = await measureClaim(ctx, { kind: 'partition-spread', claimed_partitions: 8, claimed_min_pct: 12, claimed_max_pct: 13 });
    expect(spread.measured).toMatch(/^Every partition holds [\d.]+ % to [\d.]+ % of its shard \(2 shards × 8 partitions/);
    expect(['holds', 'unsettled']).toContain(spread.verdict);
  });

  it('answers bad input with a 4xx and changes nothing', async () => {
    await ensureBuilt(8);
    const cases: [string, string, unknown, number][] = [
      ['POST', '/lab/v1/partitions', { partitions: 1 }, 400],
      ['POST', '/lab/v1/partitions', { partitions: 65 }, 400],
      ['POST', '/lab/v1/partitions', { partitions: 8.5 }, 400],
      ['POST', '/lab/v1/partitions', { partitions: 8, extra: 1 }, 400],
      ['POST', '/lab/v1/partitions', {}, 400],
      ['POST', '/lab/v1/partitions', { partitions: 8, mode: 'swap' }, 400],
      ['GET', '/lab/v1/partitions/pruning?shard=shard-9', undefined, 400],
      ['GET', '/lab/v1/partitions/pruning', undefined, 400],
      ['GET', '/lab/v1/partitions/pruning?shard=shard-0&id=nope', undefined, 400],
      ['GET', '/lab/v1/partitions/pruning?shard=shard-0&id=00000000-0000-4000-8000-000000000000', undefined, 409],
    ];
    const before = await inspect();
    for (const [method, url, body, status] of cases) {
      const r = await t.call<ErrorReply>(method, url, body);
      expect(r.status, `${method} ${url} ${JSON.stringify(body)}`).toBe(status);
      expect(r.body.error.message.length).toBeGreaterThan(5);
    }
    expect((await inspect()).shards.map((s) => [s.modulus, s.users_rows])).toEqual(before.shards.map((s) => [s.modulus, s.users_rows]));
  });

  it("loses a write committed during the copy with the original's faithful swap, counted by id, and keeps it online", async () => {
    await ensureBuilt(8);
    const shard = t.running.lab.cluster.shards.find((s) => s.name === 'shard-0')!;
    for (const [mode, lost] of [
      ['faithful', 1],
      ['online', 0],
    ] as const) {
      // A write that began before the build and commits while it runs: its locks make the build wait for it.
      const writer = new pg.Client({ connectionString: shard.url });
      await writer.connect();
      try {
        await writer.query('BEGIN');
        const id = randomUUID();
        await writer.query(`INSERT INTO users (id, first_name, last_name) VALUES ($1, 'Held', 'Open')`, [id]);
        const building = build(8, mode);
        await waitingOnLock();
        await writer.query('COMMIT');
        const { job, built } = await building;
        expect(job.state, JSON.stringify(job)).toBe('succeeded');
        expect(built.mode).toBe(mode);
        expect(built.shards.find((s) => s.shard_name === 'shard-0')).toMatchObject({ ids_lost: lost, ids_revived: 0 });
        expect((await inspect()).shards.find((s) => s.shard_name === 'shard-0')).toMatchObject({ last_build: mode, out_of_step: lost });
        // The faithful swap dropped the committed row with the old table; online it is there.
        expect(await sql('shard-0', `SELECT count(*) FROM users WHERE id = '${id}'`)).toEqual([[String(1 - lost)]]);
        await writer.query('DELETE FROM users WHERE id = $1', [id]);
      } finally {
        await writer.end();
      }
    }
    // No build leaves its scaffolding behind.
    expect(await sql('shard-0', `SELECT count(*) FROM pg_class WHERE starts_with(relname, 'users_next')`)).toEqual([['0']]);
    expect(await sql('shard-0', `SELECT conname FROM pg_constraint WHERE conrelid = 'users'::regclass AND contype = 'p'`)).toEqual([['users_pkey']]);
  });

  it('catches up online with the writes made during its copy: a create, an update and a delete logged while the copy ran are in the new table as they are now', async () => {
    await ensureBuilt(8);
    const shard = t.running.lab.cluster.shards.find((s) => s.name === 'shard-0')!;
    const [edited, deleted] = (await sql('shard-0', 'SELECT id FROM users ORDER BY id LIMIT 2')).map(([id]) => id!);
    const [writer, holder] = [new pg.Client({ connectionString: shard.url }), new pg.Client({ connectionString: shard.url })];
    await Promise.all([writer.connect(), holder.connect()]);
    try {
      // An open write makes shard-0's build wait to create its logging trigger, with the new table already made.
      await writer.query('BEGIN');
      const held = randomUUID();
      await writer.query(`INSERT INTO users (id, first_name, last_name) VALUES ($1, 'Held', 'Open')`, [held]);
      const building = build(16);
      await waitingOnLock();
      // A lock on the new table lets the copy run and holds the build before its keys: the writes below come after the copy read users.
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE users_next IN ACCESS SHARE MODE');
      await writer.query('COMMIT');
      await expect
        .poll(
          () =>
            sql(
              'shard-0',
              `SELECT count(*) FROM pg_stat_activity WHERE application_name = 'shard-lab-partitioning' AND wait_event_type = 'Lock' AND query LIKE 'ALTER TABLE users_next ADD%'`,
            ),
          { timeout: 60_000 },
        )
        .toEqual([['1']]);
      const created = (await sql('shard-0', `INSERT INTO users (id, first_name, last_name) VALUES ('${randomUUID()}', 'During', 'Copy') RETURNING id`))[0]![0]!;
      expect((await t.call('PUT', `/api/v1/users/${edited}`, { last_name: 'edited-during-copy' })).status).toBe(200);
      expect((await t.call('DELETE', `/api/v1/users/${deleted}`)).status).toBe(204);
      expect(await sql('shard-0', 'SELECT count(DISTINCT id) FROM users_next_log')).toEqual([['3']]);
      await holder.query('COMMIT');
      const { job, built } = await building;
      expect(job.state, JSON.stringify(job)).toBe('succeeded');
      expect(built.shards.map((s) => s.ids_lost + s.ids_revived)).toEqual([0, 0]);
      expect(await sql('shard-0', `SELECT count(*) FROM users WHERE id = '${created}'`)).toEqual([['1']]);
      expect(await sql('shard-0', `SELECT last_name FROM users WHERE id = '${edited}'`)).toEqual([['edited-during-copy']]);
      expect(await sql('shard-0', `SELECT count(*) FROM users WHERE id = '${deleted}'`)).toEqual([['0']]);
      expect((await inspect()).shards.every((s) => s.modulus === 16 && s.out_of_step === 0)).toBe(true);
      expect(await sql('shard-0', `SELECT count(*) FROM pg_class WHERE starts_with(relname, 'users_next')`)).toEqual([['0']]);
      // The two rows written straight to shard-0, whatever the ring says, go again: the placement audit counts every row.
      await writer.query('DELETE FROM users WHERE id = ANY($1::uuid[])', [[held, created]]);
    } finally {
      await Promise.all([writer.query('ROLLBACK').catch(() => undefined), holder.query('ROLLBACK').catch(() => undefined)]);
      await Promise.all([writer.end(), holder.end()]);
    }
  });

  it('cancels a build as a job: the statement waiting on shard-0 is stopped, every shard loses what was built, the live table stays', async () => {
    await ensureBuilt(8);
    const shard = t.running.lab.cluster.shards.find((s) => s.name === 'shard-0')!;
    const writer = new pg.Client({ connectionString: shard.url });
    await writer.connect();
    try {
      // An open write on users makes shard-0's build wait for its mirror trigger while shard-1's copies.
      await writer.query('BEGIN');
      await writer.query(`INSERT INTO users (id, first_name, last_name) VALUES ($1, 'Held', 'Open')`, [randomUUID()]);
      const started = await t.call<{ job_id: string }>('POST', '/lab/v1/partitions', { partitions: 16 });
      expect(started.status).toBe(202);
      await waitingOnLock();
      expect((await t.call('POST', `/lab/v1/jobs/${started.body.job_id}/cancel`, {})).status).toBe(202);
      const job = await t.running.lab.jobs.wait(started.body.job_id);
      expect(job).toMatchObject({ state: 'cancelled', result: { partitions: 16, left_behind: 0 } });
    } finally {
      await writer.query('ROLLBACK');
      await writer.end();
    }
    for (const name of ['shard-0', 'shard-1']) {
      expect(await sql(name, `SELECT count(*) FROM pg_class WHERE starts_with(relname, 'users_next')`)).toEqual([['0']]);
      expect(await sql(name, `SELECT tgname FROM pg_trigger WHERE tgrelid = 'users'::regclass AND NOT tgisinternal`)).toEqual([['users_ring_hash']]);
    }
    expect((await inspect()).shards.every((s) => s.modulus === 8 && s.rows === s.users_rows)).toBe(true);
  });

  it("holds the messenger's writes while the online build waits on users' lock, instead of failing them on a full pool", async () => {
    await ensureBuilt(8);
    const shard = t.running.lab.cluster.shards.find((s) => s.name === 'shard-0')!;
    const ids = (await sql('shard-0', 'SELECT id FROM users ORDER BY id LIMIT 60')).map(([id]) => id!);
    const writer = new pg.Client({ connectionString: shard.url });
    await writer.connect();
    try {
      // An open write on users: the build's DDL on users waits for it, as it would for a slow write under load.
      await writer.query('BEGIN');
      await writer.query(`INSERT INTO users (id, first_name, last_name) VALUES ($1, 'Held', 'Open')`, [randomUUID()]);
      const building = build(16);
      await waitingOnLock();
      // More writes at once than the pool has connections: queued behind the DDL's lock they would fill it and fail with 503.
      const puts = await Promise.all(ids.map((id, n) => t.call('PUT', `/api/v1/users/${id}`, { last_name: `held-${n}` })));
      expect(puts.map((r) => r.status).filter((s) => s !== 200)).toEqual([]);
      // Ended without a trace: the held row was written straight to shard-0, whatever the ring says.
      await writer.query('ROLLBACK');
      const { job } = await building;
      expect(job.state, JSON.stringify(job)).toBe('succeeded');
    } finally {
      await writer.end();
    }
    expect((await inspect()).shards.every((s) => s.modulus === 16 && s.out_of_step === 0)).toBe(true);
    expect(await sql('shard-0', `SELECT count(*) FROM users WHERE last_name LIKE 'held-%'`)).toEqual([[String(ids.length)]]);
  });

  it("range-partitions the messenger's messages by month, the API working on them, and retires a month by DROP (partition and bytes gone) vs DELETE (partition and bytes stay), measured", async () => {
    const seeded = await t.call<{ job_id: string }>('POST', '/lab/v1/seed', { users: 200, conversations: 100, messages: 3000 });
    expect((await t.running.lab.jobs.wait(seeded.body.job_id)).state).toBe('succeeded');
    const held = (await t.call<{ shards: { messages_rows: number }[] }>('GET', '/lab/v1/partitions/months')).body.shards.reduce(
      (n, s) => n + s.messages_rows,
      0,
    );
    expect(held).toBeGreaterThanOrEqual(3000);
    const built = await t.call<{ months: string[]; shards: { rows_copied: number }[] }>('POST', '/lab/v1/partitions/months', { months_ahead: 2 });
    expect(built.status, JSON.stringify(built.body)).toBe(200);
    expect(built.body.shards.reduce((n, s) => n + s.rows_copied, 0)).toBe(held);
    interface Months {
      shards: {
        shard_name: string;
        built: boolean;
        messages_rows: number;
        partitions: { name: string; month: string | null; rows: number; bytes: number }[];
      }[];
    }
    const months = async () => (await t.call<Months>('GET', '/lab/v1/partitions/months')).body;
    const before = await months();
    for (const s of before.shards) {
      // Every message sits in the partition of its month (UTC); none falls into the DEFAULT.
      expect(s.partitions.reduce((n, p) => n + p.rows, 0)).toBe(s.messages_rows);
      expect(s.partitions.at(-1)).toMatchObject({ month: null, rows: 0 });
      expect(s.partitions.map((p) => p.month).slice(0, -1)).toEqual(built.body.months);
      expect(
        await sql(
          s.shard_name,
          `SELECT count(*) FROM messages WHERE tableoid::regclass::text <> 'messages_m' || to_char(created_at AT TIME ZONE 'UTC', 'YYYY_MM')`,
        ),
      ).toEqual([['0']]);
      // The messenger's own table, with its key widened by the partition key, and its constraints and trigger kept.
      expect(
        await sql(
          s.shard_name,
          `SELECT relkind::text, pg_get_constraintdef(c.oid) FROM pg_class t JOIN pg_constraint c ON c.conrelid = t.oid AND c.contype = 'p' WHERE t.oid = 'messages'::regclass`,
        ),
      ).toEqual([['p', 'PRIMARY KEY (conversation_id, id, created_at)']]);
      expect(await sql(s.shard_name, `SELECT conname FROM pg_constraint WHERE conrelid = 'messages'::regclass AND contype IN ('f', 'c') ORDER BY 1`)).toEqual([
        ['messages_body_check'],
        ['messages_conversation_id_fkey'],
        ['messages_sender_fkey'],
      ]);
    }
    // The API posts into this month's partition and pages across partitions, newest first.
    const [conversation, sender] = (await sql('shard-0', 'SELECT conversation_id, user_id FROM conversation_members ORDER BY 1, 2 LIMIT 1'))[0]!;
    const posted = await t.call<{ id: string }>('POST', `/api/v1/conversations/${conversation}/messages`, { sender_id: sender, body: 'into this month' });
    expect(posted.status, JSON.stringify(posted.body)).toBe(201);
    const page = await t.call<{ data: { id: string }[] }>('GET', `/api/v1/conversations/${conversation}/messages?limit=3`);
    expect(page.status).toBe(200);
    expect(page.body.data[0]!.id).toBe(posted.body.id);
    expect(
      await sql(
        'shard-0',
        `SELECT tableoid::regclass::text = 'messages_m' || to_char(now() AT TIME ZONE 'UTC', 'YYYY_MM') FROM messages WHERE id = '${posted.body.id}'`,
      ),
    ).toEqual([['true']]);
    interface Retired {
      month: string;
      shards: { rows: number; wal_bytes: number; bytes_freed: number; partition_left: boolean }[];
    }
    const oldest = built.body.months[0]!;
    const second = built.body.months[1]!;
    const byDelete = await t.call<Retired>('POST', '/lab/v1/partitions/months/retire', { how: 'delete', month: second });
    expect(byDelete.status, JSON.stringify(byDelete.body)).toBe(200);
    const byDrop = await t.call<Retired>('POST', '/lab/v1/partitions/months/retire', { how: 'drop' });
    expect(byDrop.body.month).toBe(oldest);
    const sum = (r: Retired, k: 'rows' | 'wal_bytes' | 'bytes_freed') => r.shards.reduce((n, s) => n + s[k], 0);
    const after = await months();
    const monthRows = (m: string) => before.shards.reduce((n, s) => n + (s.partitions.find((p) => p.month === m)?.rows ?? 0), 0);
    expect(sum(byDelete.body, 'rows')).toBe(monthRows(second));
    expect(sum(byDrop.body, 'rows')).toBe(monthRows(oldest));
    // DELETE: the partition stays, empty of live rows and no smaller; DROP: it is gone with all its bytes.
    expect(byDelete.body.shards.every((s) => s.partition_left && s.bytes_freed === 0)).toBe(true);
    expect(after.shards.every((s) => s.partitions.some((p) => p.month === second && p.rows === 0))).toBe(true);
    expect(byDrop.body.shards.every((s) => !s.partition_left)).toBe(true);
    expect(sum(byDrop.body, 'bytes_freed')).toBe(before.shards.reduce((n, s) => n + (s.partitions.find((p) => p.month === oldest)?.bytes ?? 0), 0));
    expect(after.shards.every((s) => !s.partitions.some((p) => p.month === oldest))).toBe(true);
    // The DELETE wrote a WAL record per row; WAL is counted, not compared by size, as other writes share it.
    if (sum(byDelete.body, 'rows') > 0) expect(sum(byDelete.body, 'wal_bytes')).toBeGreaterThan(0);
    // Bad input changes nothing; a month with no partition is a 409.
    for (const [body, status] of [
      [{ how: 'truncate' }, 400],
      [{ how: 'drop', month: '2026-13' }, 400],
      [{ how: 'drop', extra: 1 }, 400],
      [{ how: 'drop', month: oldest }, 409],
    ] as const) {
      const r = await t.call<ErrorReply>('POST', '/lab/v1/partitions/months/retire', body);
      expect(r.status, JSON.stringify(body)).toBe(status);
    }
    expect((await t.call<ErrorReply>('POST', '/lab/v1/partitions/months', { months_ahead: 25 })).status).toBe(400);
    expect((await months()).shards.map((s) => s.partitions.length)).toEqual(after.shards.map((s) => s.partitions.length));
    // The chapter's reset turns messages back into a plain table with every message left.
    const left = after.shards.reduce((n, s) => n + s.messages_rows, 0);
    expect((await t.call('DELETE', '/lab/v1/partitions')).status).toBe(200);
    const plain = await months();
    expect(plain.shards.map((s) => s.built)).toEqual([false, false]);
    expect(plain.shards.reduce((n, s) => n + s.messages_rows, 0)).toBe(left);
    expect(await sql('shard-0', `SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'messages_pkey'`)).toEqual([
      ['PRIMARY KEY (conversation_id, id)'],
    ]);
  });

  it('moves partitioned users when a shard is added under writes: the new shard gets the same partitions, nothing is lost or misplaced, replica identities are restored', async () => {
    await ensureUsers(2000);
    await ensureBuilt(8);
    // messages partitioned by month on the old shards too: the move publishes both under the tables' own names.
    expect((await t.call('POST', '/lab/v1/partitions/months', { months_ahead: 1 })).status).toBe(200);
    const messages = async () =>
      (await t.call<{ shards: { shard_name: string; built: boolean; messages_rows: number }[] }>('GET', '/lab/v1/partitions/months')).body.shards;
    const messagesBefore = (await messages()).reduce((n, s) => n + s.messages_rows, 0);
    const before = await totalUsers();
    const updated = (await sql('shard-0', 'SELECT id FROM users ORDER BY id LIMIT 40')).map(([id]) => id!);
    const added = await t.call<{ job_id: string }>('POST', '/lab/v1/shards', { mode: 'rebalance' });
    expect(added.status).toBe(202);
    // Updates keep arriving while the rows move (REPLICA IDENTITY FULL on every partition lets them replicate).
    let writing = true;
    let sent = 0;
    const failed: number[] = [];
    const writes = (async () => {
      for (let n = 0; writing; n = ++sent) {
        const r = await t.call('PUT', `/api/v1/users/${updated[n % updated.length]}`, { last_name: `moved-${n}` });
        if (r.status !== 200) failed.push(r.status);
      }
    })();
    const job = await t.running.lab.jobs.wait(added.body.job_id);
    writing = false;
    await writes;
    expect(job.state, JSON.stringify(job.error)).toBe('succeeded');
    expect(sent).toBeGreaterThan(0);
    expect(failed).toEqual([]);
    expect(await totalUsers()).toBe(before);
    const placement = await t.call<{ total_misplaced: number }>('GET', '/lab/v1/placement');
    expect(placement.body.total_misplaced, JSON.stringify(placement.body)).toBe(0);
    const report = await inspect();
    expect(report.shards.map((s) => [s.shard_name, s.modulus, s.rows === s.users_rows])).toEqual([
      ['shard-0', 8, true],
      ['shard-1', 8, true],
      ['shard-2', 8, true],
    ]);
    expect(report.shards.find((s) => s.shard_name === 'shard-2')!.rows).toBeGreaterThan(0);
    for (const s of report.shards) {
      expect(await sql(s.shard_name, `SELECT DISTINCT relreplident::text FROM pg_class WHERE oid = 'users'::regclass OR relname ~ '^users_p[0-9]+$'`)).toEqual([
        ['d'],
      ]);
    }
    // Every message arrived once, and the new shard's messages has the serving shards' months before its first row.
    const moved = await messages();
    expect(moved.reduce((n, s) => n + s.messages_rows, 0)).toBe(messagesBefore);
    expect(moved.map((s) => [s.shard_name, s.built])).toEqual([
      ['shard-0', true],
      ['shard-1', true],
      ['shard-2', true],
    ]);
    const monthsOf = async (shard: string) =>
      (await sql(shard, `SELECT relname FROM pg_class WHERE relname ~ '^messages_m[0-9_]+$' ORDER BY 1`)).map(([n]) => n);
    expect(await monthsOf('shard-2')).toEqual(await monthsOf('shard-0'));
    expect((job.notes ?? []).map((n) => n.message)).toContainEqual(
      expect.stringMatching(/^shard-2: messages partitioned by month \(\d+ months and a DEFAULT\), as on shard-0\.$/),
    );
    // Another chapter's reset brings back its start: a database built from the migrations alone, so users is
    // plain again with everything else the chapters added, and works as before.
    expect((await t.call('POST', '/lab/v1/chapters/overview/reset')).status).toBe(200);
    const reset = await inspect();
    expect(reset.shards.map((s) => [s.shard_name, s.partitioned, s.users_rows])).toEqual([
      ['shard-0', false, 0],
      ['shard-1', false, 0],
    ]);
    expect((await t.call('POST', '/api/v1/users', { first_name: 'Alan', last_name: 'Turing' })).status).toBe(201);
    expect(await totalUsers()).toBe(1);
  });

  it('promotes a replica of a shard whose users is partitioned: the partitions come with it and take writes', async () => {
    await ensureUsers(500);
    await ensureBuilt(8);
    const added = await t.call('POST', '/lab/v1/shards/shard-1/replicas');
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    const streaming = async () =>
      (await t.call<{ shards: { name: string; replicas: { state: string | null }[] }[] }>('GET', '/lab/v1/topology')).body.shards.find(
        (s) => s.name === 'shard-1',
      )!.replicas[0]?.state;
    await expect.poll(streaming, { timeout: 60_000 }).toBe('streaming');
    const rows = (await inspect()).shards.find((s) => s.shard_name === 'shard-1')!.rows;
    const promoted = await t.call<{ kind: string; writes_at_risk: { count: number } }>('POST', '/lab/v1/shards/shard-1/promote');
    expect(promoted.status, JSON.stringify(promoted.body)).toBe(200);
    expect(promoted.body.writes_at_risk.count).toBe(0);
    expect((await inspect()).shards.find((s) => s.shard_name === 'shard-1')).toMatchObject({ modulus: 8, rows });
    for (let n = 0; n < 20; n++) expect((await t.call('POST', '/api/v1/users', { first_name: 'After', last_name: `Promotion${n}` })).status).toBe(201);
    const after = (await inspect()).shards.find((s) => s.shard_name === 'shard-1')!;
    expect(after.rows).toBe(after.users_rows);
    expect(after.rows).toBeGreaterThan(rows);
  });

  it('works from the command layer: repartition to 16 (as its own CLI process), show, prune, the start-up replays, make plain', async () => {
    await ensureUsers(500);
    const built = await runCli(['partitions', 'build', '16'], { LAB_URL: t.url });
    expect(built.code, built.out).toBe(0);
    expect(built.out).toMatch(/users: 16 hash partitions on every shard \(online\)/);
    expect((await inspect()).shards.every((s) => s.modulus === 16 && s.rows === s.users_rows)).toBe(true);
    // The other commands in-process, through the same dispatcher and HTTP client the CLI uses.
    const ctx: CommandContext = {
      lab: new HttpLabClient(t.url),
      out: { line: () => undefined, progress: () => undefined, endProgress: () => undefined },
      style: plain,
      frontEnd: 'cli',
      invocation: '',
      signal: new AbortController().signal,
    };
    const run = async (line: string) => (await dispatch(line.split(' '), line, ctx)).text;
    expect(await run('partitions shard-0')).toMatch(/users_p15/);
    const pruned = await run('partitions prune shard-0');
    expect(pruned).toMatch(/by id\s+\| 1 of 16/);
    expect(pruned).toMatch(/by first name\s+\| 16 of 16/);
    await expect(run('partitions build 1')).rejects.toThrow(/at least 2/);
    // The original's start-up against 16 partitions: guarded refuses and changes nothing; faithful drops every user.
    const rowsAt16 = (await inspect()).shards.reduce((n, s) => n + s.rows, 0);
    await expect(run('partitions startup')).rejects.toThrow(
      /start-up expects 8\. The original would drop users there and lose its [\d,]+ rows; the lab refuses/,
    );
    expect((await inspect()).shards.every((s) => s.modulus === 16 && s.rows === s.users_rows)).toBe(true);
    expect(await run('partitions startup --faithful')).toMatch(
      new RegExp(`faithful start-up expecting 8 partitions: ${rowsAt16.toLocaleString('en-US')} rows lost`),
    );
    const dropped = await inspect();
    expect(dropped.shards.every((s) => s.modulus === 8 && s.rows === 0 && s.last_build === 'startup')).toBe(true);
    expect(dropped.shards.reduce((n, s) => n + s.out_of_step, 0)).toBe(rowsAt16);
    // At 8 both keep the table; the messenger writes into it.
    expect(await run('partitions startup')).toMatch(/0 rows lost/);
    expect((await t.call('POST', '/api/v1/users', { first_name: 'Ada', last_name: 'Lovelace' })).status).toBe(201);
    expect(await run('partitions months build 1')).toMatch(/month partitions \(\d{4}-\d{2} … \d{4}-\d{2}\) and a DEFAULT on every shard/);
    expect(await run('partitions months')).toMatch(/DEFAULT/);
    expect(await run('partitions retire drop')).toMatch(/retired by DETACH \+ DROP of its partition/);
    await expect(run('partitions retire truncate')).rejects.toThrow(/drop or delete/);
    expect(await run('partitions drop')).toMatch(/users is a plain table again on shard-0, shard-1/);
    expect((await t.call<{ shards: { built: boolean }[] }>('GET', '/lab/v1/partitions/months')).body.shards.every((s) => !s.built)).toBe(true);
    expect((await inspect()).shards.every((s) => !s.partitioned)).toBe(true);
    expect(await totalUsers()).toBe(1);
    expect((await t.call('POST', '/api/v1/users', { first_name: 'Ada', last_name: 'Byron' })).status).toBe(201);
  });
});
