import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { migrationClient, pgErrorText } from '../migrations/index.js';
import { DRILL_SCHEMA } from './setup.js';

/** The four changes the chapter compares in pairs: an index built plainly or concurrently; a column added without or with a rewrite. */
export const DDL_CHANGES = ['create-index', 'create-index-concurrently', 'add-column-default', 'add-column-rewrite'] as const;
export type DdlChange = (typeof DDL_CHANGES)[number];

const TABLE = `${DRILL_SCHEMA}.ddl_probe`;
const DDL: Record<DdlChange, string> = {
  'create-index': `CREATE INDEX ddl_probe_n ON ${TABLE} (n)`,
  'create-index-concurrently': `CREATE INDEX CONCURRENTLY ddl_probe_n ON ${TABLE} (n)`,
  'add-column-default': `ALTER TABLE ${TABLE} ADD COLUMN flag integer NOT NULL DEFAULT 0`,
  // clock_timestamp() is volatile: every existing row needs its own value, so PostgreSQL rewrites the table.
  'add-column-rewrite': `ALTER TABLE ${TABLE} ADD COLUMN stamp timestamptz NOT NULL DEFAULT clock_timestamp()`,
};
/** CREATE INDEX CONCURRENTLY refuses to run inside a transaction block. */
const TRANSACTIONAL: Record<DdlChange, boolean> = {
  'create-index': true,
  'create-index-concurrently': false,
  'add-column-default': true,
  'add-column-rewrite': true,
};
/** Weakest to strongest (PostgreSQL's table-level lock modes). */
const LOCK_MODES = [
  'AccessShareLock',
  'RowShareLock',
  'RowExclusiveLock',
  'ShareUpdateExclusiveLock',
  'ShareLock',
  'ShareRowExclusiveLock',
  'ExclusiveLock',
  'AccessExclusiveLock',
];
/** The modes an INSERT's RowExclusiveLock waits for. */
const BLOCKS_WRITES = new Set(['ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock']);

/** A write slower than this counts as blocked (an insert on an idle shard takes about a millisecond). */
export const BLOCKED_MS = 100;
const WRITERS = 2;
const WRITE_GAP_MS = 5;
const OBSERVE_MS = 10;
const WAIT_STEP_MS = 10;
const WAIT_LIMIT_MS = 10_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface DdlReport {
  shard: string;
  change: DdlChange;
  sql: string;
  rows: number;
  /** How long the change took, from its first statement to its commit. */
  ddl_ms: number;
  /** The table's file changed: PostgreSQL wrote every row again. */
  rewrote: boolean;
  /** The strongest lock the change was seen holding on the table (null: it ended before the observer saw it). */
  lock_mode: string | null;
  /** Whether that lock mode makes an INSERT wait. */
  lock_blocks_writes: boolean | null;
  /** The writers' inserts around the change. */
  writes: {
    count: number;
    /** The usual insert before the change started (median). */
    usual_ms: number;
    /** Inserts that finished while the change ran. */
    during: number;
    /** Inserts in flight at some point of the change that took ≥ 100 ms. */
    blocked: number;
    /** The longest insert in flight at some point of the change: how long writes were blocked. */
    longest_ms: number;
  };
  /** A writer was seen waiting for the change's session (pg_blocking_pids). */
  writers_waited: boolean;
  verdict: string;
}

interface Write {
  start: number;
  end: number;
}

const strongest = (modes: Iterable<string>): string | null => {
  let best = -1;
  for (const m of modes) best = Math.max(best, LOCK_MODES.indexOf(m));
  return best < 0 ? null : LOCK_MODES[best]!;
};

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Builds the probe table with `rows` rows (the change's size); not part of what is measured. */
async function buildTable(c: pg.Client, rows: number): Promise<void> {
  await c.query(`DROP TABLE IF EXISTS ${TABLE}`);
  await c.query(`CREATE TABLE ${TABLE} (id bigserial PRIMARY KEY, n integer NOT NULL, body text NOT NULL)`);
  await c.query(`INSERT INTO ${TABLE} (n, body) SELECT (random() * 1000000)::int, md5(g::text) FROM generate_series(1, $1::int) g`, [rows]);
  await c.query(`ANALYZE ${TABLE}`);
}

/**
 * One schema change on one shard's probe table (`lab_drill.ddl_probe`, `rows` rows), while writers insert into
 * that table one after another: how long the change took, whether it rewrote the table, the lock it held, and
 * how long the inserts around it waited. The table is dropped afterwards.
 */
export async function ddlBlocking(shard: { name: string; url: string }, change: DdlChange, rows: number, applicationName: string): Promise<DdlReport> {
  const ddl = migrationClient(shard.url, applicationName);
  const observer = migrationClient(shard.url, applicationName);
  const writers = Array.from({ length: WRITERS }, () => migrationClient(shard.url, applicationName));
  const clients = [ddl, observer, ...writers];
  try {
    await Promise.all(clients.map((c) => c.connect()));
    await buildTable(ddl, rows);
    const pid = async (c: pg.Client) => (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const ddlPid = await pid(ddl);
    const writerPids = await Promise.all(writers.map(pid));
    const oid = (await ddl.query<{ oid: number }>(`SELECT '${TABLE}'::regclass::oid AS oid`)).rows[0]!.oid;
    const filenode = async () => (await observer.query<{ f: string }>(`SELECT pg_relation_filenode('${TABLE}') AS f`)).rows[0]!.f;
    const fileBefore = await filenode();

    let writing = true;
    const writes: Write[][] = writers.map(() => []);
    const loops = writers.map(async (w, i) => {
      while (writing) {
        const start = performance.now();
        await w.query(`INSERT INTO ${TABLE} (n, body) VALUES ($1, 'write')`, [i]);
        writes[i]!.push({ start, end: performance.now() });
        await sleep(WRITE_GAP_MS);
      }
    });
    const waitFor = async (ok: () => boolean) => {
      for (let waited = 0; waited < WAIT_LIMIT_MS && !ok(); waited += WAIT_STEP_MS) await sleep(WAIT_STEP_MS);
    };
    // Traffic first: every writer has settled into its loop before the change starts.
    await waitFor(() => writes.every((w) => w.length >= 3));

    const modes = new Set<string>();
    let waited = false;
    let observing = true;
    const observe = (async () => {
      while (observing) {
        const { rows: seen } = await observer.query<{ modes: string[] | null; waiting: boolean | null }>(
          `SELECT (SELECT array_agg(mode) FROM pg_locks WHERE pid = $1 AND relation = $2 AND granted) AS modes,
                  (SELECT bool_or($1 = ANY(pg_blocking_pids(w))) FROM unnest($3::int[]) w) AS waiting`,
          [ddlPid, oid, writerPids],
        );
        for (const m of seen[0]?.modes ?? []) modes.add(m);
        if (seen[0]?.waiting) waited = true;
        await sleep(OBSERVE_MS);
      }
    })();

    const ddlStart = performance.now();
    if (TRANSACTIONAL[change]) {
      await ddl.query('BEGIN');
      await ddl.query(DDL[change]);
      // Read inside the transaction: the lock is still held, so the mode is certain even for a change too quick to observe.
      const own = await ddl.query<{ mode: string }>('SELECT mode FROM pg_locks WHERE pid = pg_backend_pid() AND relation = $1 AND granted', [oid]);
      for (const r of own.rows) modes.add(r.mode);
      await ddl.query('COMMIT');
    } else {
      await ddl.query(DDL[change]);
    }
    const ddlEnd = performance.now();
    observing = false;
    await observe;
    // Traffic after: each writer has finished an insert it started once the change was over.
    await waitFor(() => writes.every((w) => w.some((x) => x.start > ddlEnd)));
    writing = false;
    await Promise.all(loops);
    const rewrote = (await filenode()) !== fileBefore;

    const all = writes.flat();
    const latency = (w: Write) => w.end - w.start;
    const overlapping = all.filter((w) => w.start < ddlEnd && w.end > ddlStart);
    const longest = Math.max(0, ...overlapping.map(latency));
    const blocked = overlapping.filter((w) => latency(w) >= BLOCKED_MS).length;
    const lockMode = strongest(modes);
    const report: DdlReport = {
      shard: shard.name,
      change,
      sql: DDL[change],
      rows,
      ddl_ms: ddlEnd - ddlStart,
      rewrote,
      lock_mode: lockMode,
      lock_blocks_writes: lockMode === null ? null : BLOCKS_WRITES.has(lockMode),
      writes: {
        count: all.length,
        usual_ms: median(all.filter((w) => w.end <= ddlStart).map(latency)),
        during: all.filter((w) => w.end > ddlStart && w.end < ddlEnd).length,
        blocked,
        longest_ms: longest,
      },
      writers_waited: waited,
      verdict: '',
    };
    report.verdict = ddlVerdict(report);
    return report;
  } catch (e) {
    throw new Error(`${shard.name}: the schema-change drill failed: ${pgErrorText(e)}`);
  } finally {
    await ddl.query(`DROP TABLE IF EXISTS ${TABLE}`).catch(() => undefined);
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  }
}

const r0 = (n: number) => Math.round(n).toLocaleString('en-US');

/** One sentence on what the change did to the writes. */
export function ddlVerdict(r: Pick<DdlReport, 'sql' | 'rows' | 'ddl_ms' | 'rewrote' | 'lock_mode' | 'lock_blocks_writes' | 'writes'>): string {
  const lock =
    r.lock_mode === null
      ? 'a lock too brief to observe'
      : `${r.lock_mode}${r.lock_blocks_writes ? ' (inserts must wait for it)' : ' (inserts go on beside it)'}`;
  const file = r.rewrote ? `rewrote all ${r0(r.rows)} rows` : 'left the rows where they were';
  return `The change took ${r0(r.ddl_ms)} ms, ${file} and held ${lock}; inserts in flight waited up to ${r0(r.writes.longest_ms)} ms (usually ${r0(r.writes.usual_ms)} ms), ${r0(r.writes.during)} finished while it ran.`;
}
