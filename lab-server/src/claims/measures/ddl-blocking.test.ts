import { describe, expect, it } from 'vitest';
import type { DdlChange, DdlReport } from '../../migration-drill/index.js';
import { ddlBlocking, judgeDdlBlocking } from './ddl-blocking.js';

const report = (change: DdlChange, o: { lock: string | null; blocks: boolean | null; rewrote: boolean; longest: number }): DdlReport => ({
  shard: 'shard-0',
  change,
  sql: change,
  rows: 200_000,
  ddl_ms: o.longest,
  rewrote: o.rewrote,
  lock_mode: o.lock,
  lock_blocks_writes: o.blocks,
  writes: { count: 40, usual_ms: 1, during: 0, blocked: 0, longest_ms: o.longest },
  writers_waited: false,
  verdict: '',
});

describe('ddl-blocking', () => {
  const column = ddlBlocking.spec.parse({ kind: 'ddl-blocking', change: 'add-column-default', baseline: 'add-column-rewrite', expect: 'no-rewrite' });
  const index = ddlBlocking.spec.parse({ kind: 'ddl-blocking', change: 'create-index-concurrently', baseline: 'create-index', expect: 'writes-flow' });
  const rewrite = report('add-column-rewrite', { lock: 'AccessExclusiveLock', blocks: true, rewrote: true, longest: 800 });
  const plainIndex = report('create-index', { lock: 'ShareLock', blocks: true, rewrote: false, longest: 400 });

  it('holds when the constant default did not rewrite and writes waited far less than for the rewrite, and says the lock was still taken', () => {
    const m = judgeDdlBlocking(column, report('add-column-default', { lock: 'AccessExclusiveLock', blocks: true, rewrote: false, longest: 4 }), rewrite);
    expect(m.verdict).toBe('holds');
    expect(m.why).toContain('still took AccessExclusiveLock');
    expect(m.measured).toContain('200× as long');
    expect(column.rows).toBe(200_000);
  });

  it('fails on a rewrite or a write-blocking lock; unsettled when the baseline did not block noticeably longer', () => {
    expect(
      judgeDdlBlocking(column, report('add-column-default', { lock: 'AccessExclusiveLock', blocks: true, rewrote: true, longest: 700 }), rewrite).verdict,
    ).toBe('fails');
    expect(
      judgeDdlBlocking(index, report('create-index-concurrently', { lock: 'ShareLock', blocks: true, rewrote: false, longest: 3 }), plainIndex).verdict,
    ).toBe('fails');
    const concurrent = report('create-index-concurrently', { lock: 'ShareUpdateExclusiveLock', blocks: false, rewrote: false, longest: 300 });
    expect(judgeDdlBlocking(index, concurrent, plainIndex).verdict).toBe('unsettled');
    expect(judgeDdlBlocking(index, { ...concurrent, writes: { ...concurrent.writes, longest_ms: 5 } }, plainIndex)).toMatchObject({
      verdict: 'holds',
      why: expect.stringContaining('Writes went on beside it'),
    });
    expect(ddlBlocking.spec.safeParse({ kind: 'ddl-blocking', change: 'drop-table', baseline: 'create-index', expect: 'no-rewrite' }).success).toBe(false);
  });
});
