import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AppRequestsReport,
  CrashReport,
  DdlReport,
  DriftReport,
  DrillRunReport,
  DrillStatus,
  LockQueueReport,
  ProbeReport,
  RenameReport,
} from '../src/migration-drill/index.js';
import { judgeQueueUnderLoad, type LoadRunTimeline } from '../src/exercises/checks/queue-under-load.js';
import { runCli } from './support/cli.js';
import { queryServer, startTestLab, type ErrorReply, type TestLab } from './support/lab.js';

/** The Migrations chapter's drills on a real 3-shard lab: failure on one shard and resume, the stuck lock both ways. */
let t: TestLab;
beforeAll(async () => {
  t = await startTestLab(3);
});
afterAll(async () => t?.stop());

const status = async () => (await t.call<DrillStatus>('GET', '/lab/v1/migration-drill')).body;
const run = async (action: string, mode = 'advisory') => (await t.call<DrillRunReport>('POST', '/lab/v1/migration-drill/run', { action, mode })).body;
const states = (s: DrillStatus, shard: string) => s.shards.find((x) => x.shard === shard)!.cells.map((c) => c.state);
const messengerTables = (url: string) =>
  queryServer<{ n: string }>(url, `SELECT count(*) AS n FROM information_schema.columns WHERE table_schema = 'public'`).then((r) => r[0]!.n);

describe('migration drill', () => {
  it('fails one migration on one shard only, and a resumed run applies only what that shard lacks', async () => {
    const before = await messengerTables(t.shardUrls[0]!);
    expect((await t.call('DELETE', '/lab/v1/migration-drill')).status).toBe(200);
    expect((await t.call('POST', '/lab/v1/migration-drill/faults', { shard: 'shard-1', migration: '0003_index_priority' })).status).toBe(200);

    const failed = await run('latest');
    expect(failed.ok).toBe(false);
    const byShard = new Map(failed.shards.map((s) => [s.shard, s]));
    expect(byShard.get('shard-0')!.ran.map((r) => r.migration)).toEqual(['0001_create_notes', '0002_add_priority', '0003_index_priority', '0004_add_tags']);
    expect(byShard.get('shard-1')!.ran.map((r) => r.migration)).toEqual(['0001_create_notes', '0002_add_priority']);
    expect(byShard.get('shard-1')!.failed).toMatchObject({
      migration: '0003_index_priority',
      message: expect.stringMatching(/shard-1.*injected failure in 0003_index_priority/),
    });
    expect(failed.shards.every((s) => s.ran.every((r) => r.ms >= 0))).toBe(true);

    const split = await status();
    expect(states(split, 'shard-0')).toEqual(['applied', 'applied', 'applied', 'applied']);
    expect(states(split, 'shard-1')).toEqual(['applied', 'applied', 'failed', 'pending']);
    expect(split.shards.find((s) => s.shard === 'shard-1')!.faults).toEqual(['0003_index_priority']);

    // The new version's write needs 0004's column: it fails on the lagging shard only, and changes nothing.
    const probe = (await t.call<ProbeReport>('POST', '/lab/v1/migration-drill/probe')).body;
    expect(probe.shards.map((s) => s.ok)).toEqual([true, false, true]);
    expect(probe.shards[1]!.error).toMatch(/shard-1.*tags/);
    expect(await queryServer(t.shardUrls[0]!, 'SELECT * FROM lab_drill.notes')).toEqual([]);

    // Re-running without the fix fails again, the same way.
    expect((await run('latest')).shards.find((s) => s.shard === 'shard-1')!.failed?.migration).toBe('0003_index_priority');
    expect((await t.call<{ removed: number }>('DELETE', '/lab/v1/migration-drill/faults')).body.removed).toBe(1);
    const resumed = await run('latest');
    expect(resumed.ok).toBe(true);
    expect(resumed.shards.map((s) => s.ran.map((r) => r.migration))).toEqual([[], ['0003_index_priority', '0004_add_tags'], []]);
    expect((await status()).shards.every((s) => s.cells.every((c) => c.state === 'applied'))).toBe(true);
    // The drill never touched the messenger's schema.
    expect(await messengerTables(t.shardUrls[0]!)).toBe(before);
  });

  it("kills a run inside its migration: the original's lock row stays set, the advisory lock goes with the session", async () => {
    expect((await t.call<ErrorReply>('POST', '/lab/v1/migration-drill/crash', { mode: 'advisory' })).body.error.code).toBe('nothing_pending');
    await run('down');

    const faithful = (await t.call<CrashReport>('POST', '/lab/v1/migration-drill/crash', { mode: 'faithful' })).body;
    expect(faithful.killed.map((k) => k.migration)).toEqual(['0004_add_tags', '0004_add_tags', '0004_add_tags']);
    expect(faithful.during.every((d) => d.lock.row_locked === true)).toBe(true);
    expect(faithful.after.every((a) => a.lock.row_locked === true && a.lock.runner_pids.length === 0)).toBe(true);
    expect(faithful.run.shards.every((s) => s.failed?.migration === '0004_add_tags')).toBe(true);
    // The next run: `up` refuses, `latest` silently does nothing.
    const refused = await run('up', 'faithful');
    expect(refused.shards.every((s) => /migration is locked/.test(s.failed?.message ?? ''))).toBe(true);
    const silent = await run('latest', 'faithful');
    expect(silent.ok).toBe(true);
    expect(silent.shards.every((s) => s.ran.length === 0 && s.skipped !== null)).toBe(true);
    // The original's fix, by hand, then the run goes through.
    // shard-0 by hand in the SQL console (the learner's role may do exactly this), the others by the route.
    const byHand = await t.call('POST', '/lab/v1/sql', { shard: 'shard-0', sql: 'UPDATE lab_drill.migration_lock SET locked = false WHERE id = 1' });
    expect(byHand.status, JSON.stringify(byHand.body)).toBe(200);
    expect((await t.call('POST', '/lab/v1/sql', { shard: 'shard-0', sql: 'DROP TABLE lab_drill.notes' })).status).toBe(400);
    expect((await t.call<{ freed: string[] }>('POST', '/lab/v1/migration-drill/unlock')).body.freed).toEqual(['shard-1', 'shard-2']);
    expect((await run('latest', 'faithful')).shards.map((s) => s.ran.map((r) => r.migration))).toEqual([
      ['0004_add_tags'],
      ['0004_add_tags'],
      ['0004_add_tags'],
    ]);

    await run('down');
    const advisory = (await t.call<CrashReport>('POST', '/lab/v1/migration-drill/crash', { mode: 'advisory' })).body;
    expect(advisory.killed).toHaveLength(3);
    expect(advisory.during.every((d) => d.lock.advisory_pid !== null && d.lock.row_locked === false)).toBe(true);
    expect(advisory.after.every((a) => a.lock.advisory_pid === null && a.lock.row_locked === false)).toBe(true);
    expect(advisory.verdict).toMatch(/no shard is locked/);
    const next = await run('latest');
    expect(next.ok).toBe(true);
    expect(next.shards.every((s) => s.ran.length === 1)).toBe(true);
  });

  it('answers bad input with a 4xx and changes nothing', async () => {
    const before = await status();
    const cases: [string, string, unknown][] = [
      ['POST', '/lab/v1/migration-drill/run', { action: 'sideways' }],
      ['POST', '/lab/v1/migration-drill/run', { action: 'up', mode: 'yolo' }],
      ['POST', '/lab/v1/migration-drill/faults', { shard: 'shard-9', migration: '0001_create_notes' }],
      ['POST', '/lab/v1/migration-drill/faults', { shard: 'shard-0', migration: 'nope' }],
      ['POST', '/lab/v1/migration-drill/crash', {}],
    ];
    for (const [method, path, body] of cases) {
      const r = await t.call<ErrorReply>(method, path, body);
      expect(r.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(400);
      expect(r.body.error.message.length).toBeGreaterThan(5);
    }
    const after = await status();
    expect(after.shards.map((s) => [s.faults, s.applied])).toEqual(before.shards.map((s) => [s.faults, s.applied]));
    expect(after.runs).toHaveLength(before.runs.length);
  });

  it('does the same from the CLI (each CLI start costs seconds, so only three): a failing run, the matrix, a crash', async () => {
    const cli = (...args: string[]) => runCli(['migrate', 'drill', ...args], { LAB_URL: t.url });
    await t.call('DELETE', '/lab/v1/migration-drill');
    await t.call('POST', '/lab/v1/migration-drill/faults', { shard: 'shard-0', migration: '0002_add_priority' });
    const failed = await cli('run', 'latest');
    expect(failed.code).not.toBe(0);
    expect(failed.out).toMatch(/shard-0 .*FAILED shard-0: migration 0002_add_priority failed: injected failure/);
    expect((await cli()).out).toMatch(/shard-0 +\| applied +\| failed +\| pending +\| pending +\| free +\| free +\| 0002/);
    await t.call('DELETE', '/lab/v1/migration-drill/faults');
    const crash = await cli('crash', 'faithful');
    expect(crash.code, crash.out).toBe(0);
    // Only shard-0 had a migration pending, so only its runner was inside one when the lab killed it.
    expect(crash.out).toMatch(/shard-0 +\| LOCKED \/ free +\| LOCKED \/ free/);
    expect(crash.out).toMatch(/shard-1 +\| free \/ free +\| free \/ free/);
    expect(crash.out).toContain('left its lock set on shard-0:');
  });

  it('queues reads behind an ALTER that waits for a long transaction; with lock_timeout the ALTER steps aside and retries', async () => {
    const plain = (await t.call<LockQueueReport>('POST', '/lab/v1/migration-drill/lock-queue', { shard: 'shard-1', hold_ms: 1000 })).body;
    const pidOf = (r: LockQueueReport, role: string) => r.lock_view.find((v) => v.role === role)!.pid;
    expect(plain.lock_view.find((v) => v.role === 'migration')!.waiting_for).toEqual([pidOf(plain, 'long transaction')]);
    // The reader conflicts only with the queued ALTER, not with the long transaction it waits behind.
    expect(plain.lock_view.find((v) => v.role === 'reader')!.waiting_for).toEqual([pidOf(plain, 'migration')]);
    expect(plain.alter).toMatchObject({ attempts: 1, timeouts: 0 });

    const polite = (await t.call<LockQueueReport>('POST', '/lab/v1/migration-drill/lock-queue', { shard: 'shard-1', hold_ms: 1000, lock_timeout_ms: 50 })).body;
    expect(polite.alter.timeouts).toBeGreaterThanOrEqual(1);
    expect(polite.alter.attempts).toBe(polite.alter.timeouts + 1);
    // Rolled back every time: the messenger's table never got the column.
    const cols = await queryServer(t.shardUrls[1]!, `SELECT 1 FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'lab_lock_probe'`);
    expect(cols).toEqual([]);
    expect((await t.call('POST', '/lab/v1/migration-drill/lock-queue', { shard: 'shard-1', hold_ms: 50 })).status).toBe(400);
  });

  it('changes a table under a stream of inserts: a plain index build and a volatile default block writes, the concurrent build and a constant default do not', async () => {
    const ddl = async (change: string) => {
      const r = await t.call<DdlReport>('POST', '/lab/v1/migration-drill/ddl', { shard: 'shard-2', change, rows: 50_000 });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.writes.count).toBeGreaterThan(0);
      expect(r.body.verdict).toContain('inserts in flight waited up to');
      return r.body;
    };
    const plain = await ddl('create-index');
    // Read inside the change's own transaction, so certain however quick the build was.
    expect(plain).toMatchObject({ lock_mode: 'ShareLock', lock_blocks_writes: true, rewrote: false });
    const concurrent = await ddl('create-index-concurrently');
    expect(concurrent.lock_blocks_writes).not.toBe(true);
    expect(concurrent.rewrote).toBe(false);
    const constant = await ddl('add-column-default');
    expect(constant).toMatchObject({ lock_mode: 'AccessExclusiveLock', rewrote: false });
    const rewrite = await ddl('add-column-rewrite');
    expect(rewrite).toMatchObject({ lock_mode: 'AccessExclusiveLock', rewrote: true });
    expect(Object.values((await status()).ddl).every((r) => r !== null)).toBe(true);
    // The probe table is dropped after each change.
    expect(await queryServer(t.shardUrls[2]!, `SELECT to_regclass('lab_drill.ddl_probe') AS t`)).toEqual([{ t: null }]);

    for (const bad of [
      { shard: 'shard-2', change: 'drop-table' },
      { shard: 'shard-2', change: 'create-index', rows: 5 },
      { shard: 'shard-9', change: 'create-index' },
    ]) {
      const r = await t.call<ErrorReply>('POST', '/lab/v1/migration-drill/ddl', bad);
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expect(r.body.error.message.length).toBeGreaterThan(5);
    }
  });

  it("runs the lock queue inside the lab's load test, marked on its timeline, and the check reads the run's seconds; without a load test it refuses", async () => {
    const body = { shard: 'shard-1', hold_ms: 1000, under_load: true };
    const none = await t.call<ErrorReply>('POST', '/lab/v1/migration-drill/lock-queue', body);
    expect([none.status, none.body.error.code]).toEqual([409, 'no_loadtest']);

    const started = await t.call<{ id: string }>('POST', '/lab/v1/loadtests', { scenario: 'smoke', duration_s: 15 });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const plain = (await t.call<LockQueueReport>('POST', '/lab/v1/migration-drill/lock-queue', body)).body;
    const polite = (await t.call<LockQueueReport>('POST', '/lab/v1/migration-drill/lock-queue', { ...body, lock_timeout_ms: 50 })).body;
    for (const r of [plain, polite]) {
      expect(r.under_load?.run_id).toBe(started.body.id);
      expect(r.under_load!.to_s).toBeGreaterThanOrEqual(r.under_load!.from_s);
    }
    let run = (await t.call<LoadRunTimeline & { marks: { kind: string; label: string }[] }>('GET', `/lab/v1/loadtests/${started.body.id}`)).body;
    expect(run.marks.map((m) => m.label)).toEqual(['plain ALTER on shard-1', 'ALTER with lock_timeout 50 ms on shard-1']);
    while (run.state === 'running' || run.state === 'preparing') {
      await new Promise((r) => setTimeout(r, 500));
      run = (await t.call<LoadRunTimeline & { marks: { kind: string; label: string }[] }>('GET', `/lab/v1/loadtests/${started.body.id}`)).body;
    }
    const verdict = judgeQueueUnderLoad(plain, polite, run);
    expect(verdict.passed, verdict.message).toBe(true);
    expect(verdict.message).toMatch(/while the plain ALTER waited on shard-1, its p99 reached [\d,]+ ms/);
  });

  it("compares every shard's schema, names the one changed by hand, and the drill's reset takes the change back", async () => {
    const drift = async () => (await t.call<DriftReport>('GET', '/lab/v1/migration-drill/drift')).body;
    const clean = await drift();
    expect(clean.differences).toEqual([]);
    expect(clean.shards.every((s) => s.error === null && s.items > 10)).toBe(true);

    expect((await t.call('POST', '/lab/v1/migration-drill/drift', { shard: 'shard-2' })).status).toBe(200);
    const off = await drift();
    expect(off.differences).toEqual([
      expect.objectContaining({ shard: 'shard-2', kind: 'index', name: 'lab_drift_users_created_at', problem: 'extra', expected: null }),
    ]);
    expect(off.verdict).toMatch(/^shard-2 differs/);
    expect((await t.call<ErrorReply>('POST', '/lab/v1/migration-drill/drift', { shard: 'shard-9' })).status).toBe(400);
    expect((await t.call<ErrorReply>('POST', '/lab/v1/migration-drill/drift', { shard: 'shard-1', extra: 1 })).status).toBe(400);

    expect((await t.call('DELETE', '/lab/v1/migration-drill')).status).toBe(200);
    expect((await drift()).differences).toEqual([]);
  });

  it('measures a schema change and finds drift from the CLI too', async () => {
    const cli = (...args: string[]) => runCli(['migrate', ...args], { LAB_URL: t.url });
    const ddl = await cli('drill', 'ddl', 'add-column-default', 'shard-0', '--rows', '10000');
    expect(ddl.code, ddl.out).toBe(0);
    expect(ddl.out).toContain('ADD COLUMN flag integer NOT NULL DEFAULT 0');
    expect(ddl.out).toMatch(/\| no +\| AccessExclusiveLock/);
    const drift = await cli('drift', '--introduce', '--shard', 'shard-1');
    expect(drift.code, drift.out).toBe(0);
    expect(drift.out).toMatch(/shard-1 differs[\s\S]*shard-1 +\| extra +\| index +\| lab_drift_users_created_at/);
    await t.call('DELETE', '/lab/v1/migration-drill');
  });

  it("sends the app's own requests through the messenger API: they fail on the lagging shard only, then pass; a one-step rename fails them, expand and contract does not", async () => {
    const requests = async () => (await t.call<AppRequestsReport>('POST', '/lab/v1/migration-drill/requests', {})).body;
    expect((await t.call('DELETE', '/lab/v1/migration-drill')).status).toBe(200);
    await t.call('POST', '/lab/v1/migration-drill/faults', { shard: 'shard-2', migration: '0004_add_tags' });
    await run('latest');
    // The runner's flow, as the page animates it: shard-2 stopped at 0004, the others released.
    expect((await status()).shards.map((s) => s.phase)).toEqual([
      { step: 'released', migration: null },
      { step: 'released', migration: null },
      { step: 'failed', migration: '0004_add_tags' },
    ]);

    const split = await requests();
    expect(split.requests.map((r) => [r.shard, r.method, r.ok])).toEqual([
      ['shard-0', 'POST', true],
      ['shard-0', 'GET', true],
      ['shard-1', 'POST', true],
      ['shard-1', 'GET', true],
      ['shard-2', 'POST', false],
      ['shard-2', 'GET', false],
    ]);
    expect(split.failed_shards).toEqual(['shard-2']);
    const failed = split.requests.find((r) => !r.ok)!;
    expect(failed.status).toBe(503);
    expect(failed.path).toMatch(/^\/api\/v1\/users\/[0-9a-f-]{36}\/notes\?app_version=1$/);
    expect(failed.error).toMatch(/shard-2: column "tags".*does not exist.*does not match what app version 1 needs/);
    // The same request by hand, as a learner would send it, says the same.
    const byHand = await t.call<ErrorReply>('GET', failed.path);
    expect([byHand.status, byHand.body.error.code]).toEqual([503, 'schema_behind']);

    await t.call('DELETE', '/lab/v1/migration-drill/faults');
    await run('latest');
    expect((await requests()).failed_shards).toEqual([]);
    expect((await t.call<ErrorReply>('POST', '/lab/v1/migration-drill/requests', { app_version: 7 })).status).toBe(400);

    const rename = async (mode: string) => (await t.call<RenameReport>('POST', '/lab/v1/migration-drill/rename', { mode })).body;
    const oneStep = await rename('one-step');
    expect(oneStep.steps.map((s) => s.step)).toEqual(['app version 1 running', 'rename in one step', 'deploy version 4']);
    // Each request is counted in the step it began in: only those begun while version 1 met the renamed column fail.
    expect(oneStep.steps.map((s) => s.failed > 0)).toEqual([false, true, false]);
    expect(oneStep.steps[1]!.errors[0]).toMatch(/column "body".*does not exist/);
    expect(Object.values(oneStep.failed_by_shard).every((n) => n > 0)).toBe(true);

    const ec = await rename('expand-contract');
    expect(ec.steps.map((s) => [s.step, s.app_version])).toEqual([
      ['app version 1 running', 1],
      ['expand', 1],
      ['deploy version 2', 2],
      ['backfill', 2],
      ['deploy version 3', 3],
      ['deploy version 4', 4],
      ['contract', 4],
    ]);
    expect(ec.failed).toBe(0);
    expect(ec.steps.every((s) => s.requests >= 3 * 4)).toBe(true);
    expect(ec.backfill!.rows).toBeGreaterThan(0);
    const columns = await queryServer<{ column_name: string }>(
      t.shardUrls[1]!,
      "SELECT column_name FROM information_schema.columns WHERE table_schema = 'lab_drill' AND table_name = 'notes' ORDER BY column_name",
    );
    expect(columns.map((c) => c.column_name)).toEqual(['created_at', 'id', 'priority', 'tags', 'text', 'user_id']);
    expect(await queryServer(t.shardUrls[1]!, 'SELECT id FROM lab_drill.notes WHERE text IS NULL')).toEqual([]);

    // Version 4 is deployed now: its requests (and the probe) use `text`, and pass.
    expect((await requests()).requests.every((r) => r.ok && r.path.endsWith('app_version=4'))).toBe(true);
    expect((await t.call<ProbeReport>('POST', '/lab/v1/migration-drill/probe')).body.shards.every((s) => s.ok)).toBe(true);

    const cli = await runCli(['migrate', 'drill', 'rename', 'expand-contract'], { LAB_URL: t.url });
    expect(cli.code, cli.out).toBe(0);
    expect(cli.out).toMatch(/contract +\| 4 +\| \d+ +\| 0 /);
    await t.call('DELETE', '/lab/v1/migration-drill');
  });
});
