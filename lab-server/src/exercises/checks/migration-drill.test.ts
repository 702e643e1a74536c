import { describe, expect, it } from 'vitest';
import type { CrashReport, DdlChange, DdlReport, DrillRunReport, DrillStatus } from '../../migration-drill/index.js';
import { judgeDrillLagging } from './drill-lagging.js';
import { judgeMigrationDrill, migrationDrill } from './migration-drill.js';

const M = ['0001_a', '0002_b', '0003_c'];
const lock = (row_locked: boolean | null = false, advisory_pid: number | null = null) => ({ row_locked, advisory_pid, runner_pids: [] });
const shard = (name: string, applied: number, opts: { failed?: string; faults?: string[]; row?: boolean } = {}) => ({
  shard: name,
  error: null,
  applied,
  faults: opts.faults ?? [],
  lock: lock(opts.row ?? false),
  phase: null,
  cells: M.map((m, i) => ({
    migration: m,
    state: i < applied ? ('applied' as const) : m === opts.failed ? ('failed' as const) : ('pending' as const),
    run_on: null,
    error: null,
  })),
});
const run = (mode: 'advisory' | 'faithful', ran: Record<string, number>, failed: string[] = [], started_at = '2026-01-01T00:00:01Z'): DrillRunReport => ({
  action: 'latest',
  mode,
  ok: failed.length === 0,
  crash: false,
  started_at,
  ms: 1,
  shards: Object.entries(ran).map(([s, n]) => ({
    shard: s,
    ran: M.slice(0, n).map((migration) => ({ migration, ms: 1 })),
    failed: failed.includes(s) ? { migration: '0003_c', message: `${s}: injected`, ms: 1 } : null,
    skipped: null,
    ms: 1,
  })),
});
const status = (
  shards: DrillStatus['shards'],
  runs: DrillRunReport[] = [],
  last_crash: CrashReport | null = null,
  lock_queues: DrillStatus['lock_queues'] = { plain: null, lock_timeout: null },
  ddl: DrillStatus['ddl'] = { 'create-index': null, 'create-index-concurrently': null, 'add-column-default': null, 'add-column-rewrite': null },
  requests: DrillStatus['requests'] = null,
  renames: DrillStatus['renames'] = { 'expand-contract': null, 'one-step': null },
): DrillStatus => ({ migrations: M, shards, runs, last_crash, lock_queues, ddl, requests, renames });

describe('migration-drill check', () => {
  it('refuses unknown or malformed parameters', () => {
    expect(migrationDrill.spec.safeParse({ kind: 'migration-drill', at_latest: true }).success).toBe(true);
    for (const bad of [{ at_latest: false }, { lock_row: 'open' }, { crashed: 'both' }, { nope: 1 }]) {
      expect(migrationDrill.spec.safeParse({ kind: 'migration-drill', ...bad }).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('at_latest names the shards behind and a fault left over', () => {
    const behind = judgeMigrationDrill({ kind: 'migration-drill', at_latest: true }, status([shard('shard-0', 3), shard('shard-1', 2)]));
    expect(behind).toMatchObject({ passed: false, message: expect.stringContaining('shard-1 has 2 of 3') });
    const faulted = judgeMigrationDrill({ kind: 'migration-drill', at_latest: true }, status([shard('shard-0', 3, { faults: ['0003_c'] })]));
    expect(faulted).toMatchObject({ passed: false, message: expect.stringContaining('fault is still injected on shard-0') });
    expect(judgeMigrationDrill({ kind: 'migration-drill', at_latest: true }, status([shard('shard-0', 3)])).passed).toBe(true);
  });

  it('split needs one shard stopped at a failed migration behind another', () => {
    expect(judgeMigrationDrill({ kind: 'migration-drill', split: true }, status([shard('shard-0', 3), shard('shard-1', 3)])).passed).toBe(false);
    const r = judgeMigrationDrill({ kind: 'migration-drill', split: true }, status([shard('shard-0', 3), shard('shard-1', 2, { failed: '0003_c' })]));
    expect(r).toEqual({ passed: true, message: 'shard-1 stopped at 2 while other shards reached 3.' });
  });

  it('resumed passes only when the newest run ran on the shards that failed before, and nowhere else', () => {
    const failed = run('advisory', { 'shard-0': 3, 'shard-1': 2 }, ['shard-1']);
    const good = run('advisory', { 'shard-0': 0, 'shard-1': 1 });
    const again = run('advisory', { 'shard-0': 1, 'shard-1': 1 });
    const at = [shard('shard-0', 3), shard('shard-1', 3)];
    expect(judgeMigrationDrill({ kind: 'migration-drill', resumed: true }, status(at, [good, failed])).passed).toBe(true);
    expect(judgeMigrationDrill({ kind: 'migration-drill', resumed: true }, status(at, [again, failed])).message).toContain(
      'also applied migrations on shard-0',
    );
    expect(judgeMigrationDrill({ kind: 'migration-drill', resumed: true }, status(at, [good])).passed).toBe(false);
  });

  it('lock_row and crashed read the lock rows and the last crash', () => {
    const locked = status([shard('shard-0', 2, { row: true }), shard('shard-1', 2, { row: false })]);
    expect(judgeMigrationDrill({ kind: 'migration-drill', lock_row: 'locked' }, locked).message).toContain('not set on shard-1');
    expect(judgeMigrationDrill({ kind: 'migration-drill', lock_row: 'unlocked' }, locked).message).toContain('UPDATE lab_drill.migration_lock');
    const crash = (mode: 'advisory' | 'faithful', pid: number | null): CrashReport => ({
      mode,
      during: [],
      killed: [{ shard: 'shard-0', pid: 7, migration: '0003_c' }],
      after: [{ shard: 'shard-0', lock: lock(false, pid) }],
      run: run(mode, { 'shard-0': 0 }, ['shard-0'], '2026-01-01T00:00:00Z'),
      verdict: '',
    });
    const at = [shard('shard-0', 3)];
    expect(judgeMigrationDrill({ kind: 'migration-drill', crashed: 'advisory' }, status(at, [], crash('faithful', null))).passed).toBe(false);
    expect(judgeMigrationDrill({ kind: 'migration-drill', crashed: 'advisory' }, status(at, [], crash('advisory', 9))).message).toContain(
      'still held on shard-0',
    );
    const after = run('advisory', { 'shard-0': 1 });
    expect(
      judgeMigrationDrill({ kind: 'migration-drill', crashed: 'advisory', last_run: 'advisory' }, status(at, [after], crash('advisory', null))).passed,
    ).toBe(true);
  });
});

describe('drill-lagging check', () => {
  it('asks for the failing shard’s count, and says where to look when it is wrong', () => {
    const split = status([shard('shard-0', 3), shard('shard-2', 1, { failed: '0002_b' })]);
    expect(judgeDrillLagging(split, 1)).toMatchObject({ passed: true, message: expect.stringContaining('shard-2 holds 1 of 3') });
    expect(judgeDrillLagging(split, 3)).toMatchObject({ passed: false, message: expect.stringContaining("shard-2's row") });
    expect(judgeDrillLagging(status([shard('shard-0', 3)]), 3).passed).toBe(false);
  });
});

describe('migration-drill check, lock queue', () => {
  const queue = (lock_timeout_ms: number | null, readerWaitsFor: number[], timeouts: number) => ({
    shard: 'shard-0',
    ddl: 'ALTER …',
    hold_ms: 2000,
    lock_timeout_ms,
    alter: { attempts: timeouts + 1, waited_ms: 2000, timeouts },
    reads: { count: 10, stalled: timeouts ? 0 : 1, max_ms: timeouts ? 60 : 1990, p99_ms: 1990 },
    lock_view: [
      { pid: 1, role: 'long transaction' as const, waiting_for: [], query: '' },
      { pid: 2, role: 'migration' as const, waiting_for: [1], query: '' },
      { pid: 3, role: 'reader' as const, waiting_for: readerWaitsFor, query: '' },
    ],
    verdict: '',
  });
  const at = [shard('shard-0', 3)];
  it('needs both drills: the reader queued behind the plain ALTER, and the polite one stepping aside', () => {
    const spec = { kind: 'migration-drill' as const, lock_queue: true as const };
    expect(judgeMigrationDrill(spec, status(at)).message).toContain('Run the lock-queue drill with a plain ALTER');
    expect(judgeMigrationDrill(spec, status(at, [], null, { plain: queue(null, [2], 0), lock_timeout: null })).message).toContain('lock_timeout');
    expect(judgeMigrationDrill(spec, status(at, [], null, { plain: queue(null, [], 0), lock_timeout: queue(50, [], 2) })).passed).toBe(false);
    const both = judgeMigrationDrill(spec, status(at, [], null, { plain: queue(null, [2], 0), lock_timeout: queue(50, [], 2) }));
    expect(both).toMatchObject({ passed: true, message: expect.stringContaining('1,990 ms') });
  });
});

describe('migration-drill check, schema changes', () => {
  const report = (change: DdlChange, lock_mode: string | null, blocks: boolean | null, rewrote: boolean, longest: number): DdlReport => ({
    shard: 'shard-0',
    change,
    sql: '…',
    rows: 200_000,
    ddl_ms: longest,
    rewrote,
    lock_mode,
    lock_blocks_writes: blocks,
    writes: { count: 50, usual_ms: 1, during: 0, blocked: 1, longest_ms: longest },
    writers_waited: blocks === true,
    verdict: '',
  });
  const good = {
    'create-index': report('create-index', 'ShareLock', true, false, 420),
    'create-index-concurrently': report('create-index-concurrently', null, null, false, 3),
    'add-column-default': report('add-column-default', 'AccessExclusiveLock', true, false, 2),
    'add-column-rewrite': report('add-column-rewrite', 'AccessExclusiveLock', true, true, 900),
  };
  const spec = { kind: 'migration-drill' as const, ddl: true as const };
  const at = [shard('shard-0', 3)];
  const judge = (ddl: DrillStatus['ddl']) => judgeMigrationDrill(spec, status(at, [], null, undefined, ddl));

  it('names the changes not run yet, and passes with all four, quoting how long writes waited', () => {
    expect(judge({ ...good, 'add-column-rewrite': null, 'create-index': null }).message).toContain('create-index, add-column-rewrite');
    expect(judge(good)).toMatchObject({ passed: true, message: expect.stringContaining('420 ms behind CREATE INDEX (ShareLock)') });
  });

  it('fails when a report contradicts the lesson: a concurrent build seen blocking, a constant default that rewrote', () => {
    expect(judge({ ...good, 'create-index-concurrently': report('create-index-concurrently', 'ShareLock', true, false, 3) }).passed).toBe(false);
    expect(judge({ ...good, 'add-column-default': report('add-column-default', 'AccessExclusiveLock', true, true, 3) }).message).toContain('older than 11');
    expect(judge({ ...good, 'add-column-rewrite': report('add-column-rewrite', 'AccessExclusiveLock', true, false, 3) }).passed).toBe(false);
  });
});

describe('migration-drill check: the app’s requests and the rename', () => {
  const req = (shard: string, ok: boolean) => ({
    shard,
    method: 'POST' as const,
    path: '/p',
    status: ok ? 201 : 503,
    ok,
    error: ok ? null : `${shard}: column "tags" does not exist`,
    ms: 1,
  });
  const requests = (failed: string[]): DrillStatus['requests'] => ({
    app_version: 1,
    requests: ['shard-0', 'shard-1'].map((s) => req(s, !failed.includes(s))),
    failed_shards: failed,
    verdict: '',
  });
  const split = [shard('shard-0', 3), shard('shard-1', 2, { failed: '0003_c' })];
  const judgeReq = (want: 'split' | 'ok', shards: DrillStatus['shards'], r: DrillStatus['requests']) =>
    judgeMigrationDrill({ kind: 'migration-drill', requests: want }, status(shards, [], null, undefined, undefined, r));

  it('split passes only when the requests failed on exactly the shards behind; ok only when none failed', () => {
    expect(judgeReq('split', split, null).message).toContain("Send the new version's requests");
    expect(judgeReq('split', split, requests([])).passed).toBe(false);
    expect(judgeReq('split', split, requests(['shard-0', 'shard-1'])).passed).toBe(false);
    expect(judgeReq('split', split, requests(['shard-1']))).toMatchObject({ passed: true, message: expect.stringContaining('column "tags"') });
    expect(judgeReq('ok', [shard('shard-0', 3), shard('shard-1', 3)], requests(['shard-1'])).passed).toBe(false);
    expect(judgeReq('ok', [shard('shard-0', 3), shard('shard-1', 3)], requests([])).passed).toBe(true);
  });

  it('rename needs the one-step rename to have failed requests and expand/contract none', () => {
    const report = (mode: 'one-step' | 'expand-contract', failed: number) => ({
      mode,
      steps: [{ step: 's', did: '', app_version: 1, ms: 1, requests: 10, failed, errors: failed ? ['column "body" does not exist'] : [], ddl_tries: 1 }],
      requests: 10,
      failed,
      failed_by_shard: { 'shard-0': failed },
      backfill: null,
      verdict: '',
    });
    const judge = (renames: DrillStatus['renames']) =>
      judgeMigrationDrill({ kind: 'migration-drill', rename: true }, status([shard('shard-0', 3)], [], null, undefined, undefined, null, renames));
    expect(judge({ 'one-step': null, 'expand-contract': report('expand-contract', 0) }).passed).toBe(false);
    expect(judge({ 'one-step': report('one-step', 0), 'expand-contract': report('expand-contract', 0) }).passed).toBe(false);
    expect(judge({ 'one-step': report('one-step', 4), 'expand-contract': report('expand-contract', 2) }).message).toContain('column "body"');
    expect(judge({ 'one-step': report('one-step', 4), 'expand-contract': report('expand-contract', 0) })).toMatchObject({
      passed: true,
      message: expect.stringContaining('4 of 10 requests failed'),
    });
  });
});
