import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { pgErrorText } from '../migrations/index.js';
import { type ApiClient, type AppRequest, appRequest } from './app-requests.js';
import { DRILL_SCHEMA } from './setup.js';

const T = `${DRILL_SCHEMA}.notes`;
/** Each DDL step takes its lock politely, so the requests queued behind it wait at most this long per try. */
const LOCK_TIMEOUT_MS = 50;
const RETRY_GAP_MS = 50;
const DDL_TRIES = 200;
const BACKFILL_BATCH = 100;
/** Requests each shard's client must have finished in a step before the next one starts: every step is seen by traffic on every shard. */
const REQUESTS_PER_STEP = 4;
const WAIT_STEP_MS = 10;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export type RenameMode = 'expand-contract' | 'one-step';

export interface RenameStep {
  step: string;
  /** What changed: the SQL run on every shard, or the deploy. */
  did: string;
  app_version: number;
  ms: number;
  requests: number;
  failed: number;
  /** Up to three distinct error messages of the requests that failed in this step. */
  errors: string[];
  /** Tries the DDL needed on the slowest shard (lock_timeout and retry). */
  ddl_tries: number | null;
}

export interface RenameReport {
  mode: RenameMode;
  steps: RenameStep[];
  requests: number;
  failed: number;
  failed_by_shard: Record<string, number>;
  backfill: { batches: number; rows: number } | null;
  verdict: string;
}

export interface RenameShard {
  name: string;
  run: <T>(fn: (pool: pg.Pool) => Promise<T>) => Promise<T>;
  user: string;
}

/** Brings the notes table back to its shape after the drill migrations (`body text NOT NULL`, no `text`), unmeasured. */
const RESTORE_SQL = `DO $r$ BEGIN
  IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = '${DRILL_SCHEMA}' AND table_name = 'notes' AND column_name = 'text') THEN
    IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = '${DRILL_SCHEMA}' AND table_name = 'notes' AND column_name = 'body') THEN
      UPDATE ${T} SET body = text WHERE body IS NULL;
      ALTER TABLE ${T} DROP COLUMN text;
    ELSE
      ALTER TABLE ${T} RENAME COLUMN text TO body;
    END IF;
  END IF;
  ALTER TABLE ${T} ALTER COLUMN body SET NOT NULL;
END $r$`;

/**
 * The running app's traffic: one client per shard, each sending the notes requests of the version deployed now
 * (add a note, list the notes) one after another, through the messenger API. Counts per step and per version.
 */
class Traffic {
  version = 1;
  step = '';
  private stopped = false;
  private readonly loops: Promise<void>[] = [];
  readonly log: (AppRequest & { step: string; version: number })[] = [];
  /** Requests in flight, per step: a step's change waits for the steps before it to finish theirs, so each request has one step. */
  private readonly inFlightSteps = new Map<string, number>();

  constructor(
    private readonly api: ApiClient,
    private readonly shards: RenameShard[],
  ) {}

  start(): void {
    for (const s of this.shards)
      this.loops.push(
        (async () => {
          for (let i = 0; !this.stopped; i++) {
            const version = this.version;
            const step = this.step;
            this.inFlightSteps.set(step, (this.inFlightSteps.get(step) ?? 0) + 1);
            try {
              const r = await appRequest(this.api, s.name, s.user, i % 2 === 0 ? 'POST' : 'GET', version);
              this.log.push({ ...r, step, version });
            } finally {
              this.inFlightSteps.set(step, (this.inFlightSteps.get(step) ?? 1) - 1);
            }
          }
        })(),
      );
  }

  /** Waits until every shard's client has finished REQUESTS_PER_STEP requests begun in `step`. */
  async settle(step: string): Promise<void> {
    const enough = () => this.shards.every((s) => this.log.filter((r) => r.step === step && r.shard === s.name).length >= REQUESTS_PER_STEP);
    while (!enough()) await sleep(WAIT_STEP_MS);
  }

  /** Waits until no request begun in an earlier step is still in flight. */
  async drain(step: string): Promise<void> {
    while ([...this.inFlightSteps].some(([st, n]) => st !== step && n > 0)) await sleep(WAIT_STEP_MS);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }
}

/** DDL on one shard with lock_timeout, retried until it gets its lock; returns the tries. */
async function politeDdl(s: RenameShard, sql: string): Promise<number> {
  return s.run(async (pool) => {
    const c = await pool.connect();
    try {
      for (let tries = 1; ; tries++) {
        try {
          await c.query('BEGIN');
          await c.query(`SET LOCAL lock_timeout = ${LOCK_TIMEOUT_MS}`);
          await c.query(sql);
          await c.query('COMMIT');
          return tries;
        } catch (e) {
          await c.query('ROLLBACK').catch(() => undefined);
          // 55P03 lock_not_available: someone held the table; step aside and try again.
          if ((e as { code?: string }).code !== '55P03' || tries >= DDL_TRIES) throw new Error(`${s.name}: ${pgErrorText(e)}`);
          await sleep(RETRY_GAP_MS);
        }
      }
    } finally {
      c.release();
    }
  });
}

/**
 * Renames `lab_drill.notes.body` to `text` on every shard while one client per shard keeps using the notes API.
 * `one-step`: RENAME COLUMN while app version 1 (which knows only `body`) runs, then deploy version 4.
 * `expand-contract`: add `text` → deploy v2 (writes both) → backfill in batches → deploy v3 (reads `text`) →
 * deploy v4 (writes only `text`) → drop `body`. Every request is counted in the step it began in.
 */
export async function renameDrill(api: ApiClient, shards: RenameShard[], mode: RenameMode): Promise<RenameReport> {
  await Promise.all(shards.map((s) => s.run((pool) => pool.query(RESTORE_SQL))));
  const traffic = new Traffic(api, shards);
  const steps: RenameStep[] = [];
  let backfill: RenameReport['backfill'] = null;
  /** One step: a deploy (the version changes together with the step, so every request of the step is of it) or a change. */
  const step = async (name: string, did: string, change: number | (() => Promise<number | null>)) => {
    traffic.step = name;
    if (typeof change === 'number') traffic.version = change;
    await traffic.drain(name);
    const t0 = performance.now();
    const ddlTries = typeof change === 'number' ? null : await change();
    await traffic.settle(name);
    // Requests are counted once traffic has stopped: one begun in this step may finish after it.
    steps.push({ step: name, did, app_version: traffic.version, ms: performance.now() - t0, requests: 0, failed: 0, errors: [], ddl_tries: ddlTries });
  };
  const ddl = async (sql: string) => Math.max(...(await Promise.all(shards.map((s) => politeDdl(s, sql)))));

  traffic.step = 'app version 1 running';
  traffic.start();
  try {
    await step('app version 1 running', 'nothing yet: version 1 reads and writes body', async () => null);
    if (mode === 'one-step') {
      await step('rename in one step', `ALTER TABLE ${T} RENAME COLUMN body TO text`, () => ddl(`ALTER TABLE ${T} RENAME COLUMN body TO text`));
      await step('deploy version 4', 'version 4 reads and writes text', 4);
    } else {
      const expand = `ALTER TABLE ${T} ADD COLUMN text text; ALTER TABLE ${T} ALTER COLUMN body DROP NOT NULL`;
      await step('expand', expand, () => ddl(expand));
      await step('deploy version 2', 'version 2 writes body and text, reads body', 2);
      const batch = `UPDATE ${T} SET text = body WHERE id IN (SELECT id FROM ${T} WHERE text IS NULL AND body IS NOT NULL LIMIT ${BACKFILL_BATCH})`;
      await step('backfill', `${batch}, repeated until it updates nothing`, async () => {
        const done = await Promise.all(
          shards.map((s) =>
            s.run(async (pool) => {
              let batches = 0;
              let rows = 0;
              for (;;) {
                const n = (await pool.query(batch)).rowCount ?? 0;
                if (n === 0) return { batches, rows };
                batches++;
                rows += n;
              }
            }),
          ),
        );
        backfill = { batches: done.reduce((a, d) => a + d.batches, 0), rows: done.reduce((a, d) => a + d.rows, 0) };
        return null;
      });
      await step('deploy version 3', 'version 3 reads text, still writes both', 3);
      await step('deploy version 4', 'version 4 reads and writes text only', 4);
      const contract = `ALTER TABLE ${T} DROP COLUMN body; ALTER TABLE ${T} ALTER COLUMN text SET NOT NULL`;
      await step('contract', contract, () => ddl(contract));
    }
  } finally {
    await traffic.stop();
  }
  for (const st of steps) {
    const mine = traffic.log.filter((r) => r.step === st.step);
    const failedHere = mine.filter((r) => !r.ok);
    st.requests = mine.length;
    st.failed = failedHere.length;
    st.errors = [...new Set(failedHere.map((r) => r.error ?? `HTTP ${r.status}`))].slice(0, 3);
  }
  const failedBy: Record<string, number> = Object.fromEntries(shards.map((s) => [s.name, 0]));
  for (const r of traffic.log) if (!r.ok) failedBy[r.shard] = (failedBy[r.shard] ?? 0) + 1;
  const requests = traffic.log.length;
  const failed = traffic.log.filter((r) => !r.ok).length;
  const verdict =
    failed === 0
      ? `${requests} requests across ${shards.length} shards, 0 failed: every app version found the columns it uses at every step.`
      : `${failed} of ${requests} requests failed (${Object.entries(failedBy)
          .filter(([, n]) => n > 0)
          .map(([s, n]) => `${n} on ${s}`)
          .join(', ')}): the running version asked for a column that the change had taken away.`;
  return { mode, steps, requests, failed, failed_by_shard: failedBy, backfill, verdict };
}
