import type { BudgetResult } from '../contracts/connection-budget.js';
import { API_APPLICATION, WORKER_APPLICATION_PREFIX } from '../cluster/shard-pools.js';
import { ConflictError } from '../domain/errors.js';
import { JobCancelledError, type JobContext } from '../jobs/registry.js';
import type { LoadTestEngine } from '../loadtest/engine.js';
import { findScenario } from '../loadtest/scenarios.js';
import { type KnobHost, rememberKnobs, setKnob } from './knobs.js';
import { onTunable, type TunableShard } from './service.js';

/**
 * The connection budget, measured: prefork multiplies pools. The original's guide warns that 8 workers with
 * pools of 100 open 800 connections per database, while its primaries kept PostgreSQL's max_connections of
 * 100 (the guide itself sets 500). Here the lab runs with `workers` W and `pool_max` P, drives load through
 * the API while writes wait on a lock (so every process's pool fills, however fast the shards are), and counts
 * each shard's server connections in pg_stat_activity while it runs.
 */
export const ORIGINAL_BUDGET = { workers: 8, pool_max: 100, connections: 800, max_connections: 100, max_connections_doc: 500 } as const;
/** Connections each shard keeps free for the lab's own probes, metrics and administration: a budget above the rest is refused. */
export const RESERVE = 10;
const SAMPLE_MS = 100;
const SCENARIO = 'crud';

export type BudgetPlan = BudgetResult['plan'];

export function planBudget(shards: number, workers: number, pool_max: number, duration_s: number): BudgetPlan {
  const processes = Math.max(1, workers);
  // Each process needs more than pool_max requests at once per shard: a crud connection hits one shard, or all of them (the listing).
  const load_connections = Math.min(2_000, Math.max(50, 4 * processes * pool_max * shards));
  return { workers, pool_max, processes, formula: processes * pool_max, duration_s, load_connections, scenario: SCENARIO };
}

type BudgetShard = BudgetResult['shards'][number];

const seconds = (since: number) => ((Date.now() - since) / 1000).toFixed(1);

interface Tally {
  peak: number;
  per_process: number;
  others: number;
  apps: Set<string>;
}

const isApi = (app: string, workers: number) => (workers > 0 ? app.startsWith(WORKER_APPLICATION_PREFIX) : app === API_APPLICATION);

/**
 * Counts a shard's client connections by application_name. An API connection counts once it has done something
 * since `since` (its state changed): a pool a knob change retired sits idle from before, the pool in force is busy.
 */
async function sample(shard: TunableShard, since: string, workers: number, tally: Tally): Promise<void> {
  const { rows } = await shard.pool.query<{ app: string; used: number; total: number }>(
    `SELECT application_name AS app, count(*) FILTER (WHERE state_change >= $1::timestamptz)::int AS used, count(*)::int AS total
       FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() GROUP BY 1`,
    [since],
  );
  let api = 0;
  let total = 0;
  for (const r of rows) {
    total += r.total;
    if (!isApi(r.app, workers)) continue;
    api += r.used;
    if (r.used > 0) tally.apps.add(r.app);
    tally.per_process = Math.max(tally.per_process, r.used);
  }
  tally.peak = Math.max(tally.peak, api);
  tally.others = Math.max(tally.others, total - api);
}

function maxConnections(shard: TunableShard): Promise<{ max: number; now: number }> {
  return onTunable(shard, async (pool) => {
    const { rows } = await pool.query<{ max: number; now: number }>(
      `SELECT current_setting('max_connections')::int AS max, (SELECT count(*)::int FROM pg_stat_activity WHERE backend_type = 'client backend') AS now`,
    );
    return rows[0]!;
  });
}

/** Each shard's max_connections and open connections; refuses a budget that leaves the lab fewer than RESERVE of them. */
export async function assertBudget(shards: readonly TunableShard[], plan: BudgetPlan): Promise<{ max: number; now: number }[]> {
  const limits = await Promise.all(shards.map(maxConnections));
  shards.forEach((s, i) => {
    const { max, now } = limits[i]!;
    if (plan.formula + now + RESERVE > max)
      throw new ConflictError(
        'over_budget',
        `${s.name} accepts ${max} connections and has ${now} open: ${plan.processes} process${plan.processes === 1 ? '' : 'es'} × pool_max ${plan.pool_max} = ${plan.formula} more would leave fewer than ${RESERVE} for the lab's own. ` +
          `That is the original's problem (8 × 100 = 800 against 100): lower workers or pool_max, or raise max_connections (tune knob max_connections, then tune restart).`,
        { shard: s.name, max_connections: max, open: now, needed: plan.formula },
      );
  });
  return limits;
}

/**
 * Makes every write to users on the shard wait, holding its pool connection, until the answer is called: reads
 * still pass. A slow query or a lock does this in production; here it makes each process's pool fill to
 * pool_max however fast the shard would answer, which is the worst case the budget must fit.
 */
async function holdWrites(shard: TunableShard): Promise<() => Promise<void>> {
  const client = await shard.pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SET LOCAL lock_timeout = '5s'`);
    await client.query('LOCK TABLE users IN SHARE MODE');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release();
    throw err;
  }
  let held = true;
  return async () => {
    if (!held) return;
    held = false;
    await client.query('COMMIT').catch(() => undefined);
    client.release();
  };
}

function rule(plan: BudgetPlan, shards: BudgetShard[]): string {
  const o = ORIGINAL_BUDGET;
  const least = Math.min(...shards.map((s) => s.max_connections));
  const who = plan.workers > 0 ? `${plan.workers} worker${plan.workers === 1 ? '' : 's'}` : '1 process (no workers)';
  return (
    `Each API process keeps its own pool to every shard: ${who} × pool_max ${plan.pool_max} = ${plan.formula} connections per shard, ` +
    `against max_connections ${least}. The original: ${o.workers} workers × ${o.pool_max} = ${o.connections} per database, ` +
    `against the ${o.max_connections} its primaries kept (${o.connections / o.max_connections}×) and the ${o.max_connections_doc} its guide sets (${o.connections / o.max_connections_doc}×).`
  );
}

/**
 * Sets the two knobs, holds writes on every shard and runs the crud load test with enough connections to fill
 * every pool, samples each shard's pg_stat_activity throughout (letting writes go once every pool is full), and
 * puts both knobs back — also when the run fails or the job is cancelled.
 */
export async function runBudget(
  host: KnobHost,
  engine: Pick<LoadTestEngine, 'start' | 'wait' | 'get' | 'assertIdle' | 'cancel' | 'running'>,
  plan: BudgetPlan,
  ctx: JobContext,
): Promise<BudgetResult> {
  engine.assertIdle();
  // The administration pools: outside the API's, so sampling neither waits for nor adds to what it counts.
  const shards = host.shards();
  const limits = await assertBudget(shards, plan);
  const restore = await rememberKnobs(host, ['pool_max', 'workers']);
  const began = Date.now();
  const tallies = shards.map((): Tally => ({ peak: 0, per_process: 0, others: 0, apps: new Set() }));
  let run: string | null = null;
  let samples = 0;
  let releases: (() => Promise<void>)[] = [];
  const releaseAll = async () => {
    await Promise.all(releases.map((r) => r()));
    releases = [];
  };
  const onAbort = () => {
    // The run may have ended on its own meanwhile: then there is nothing left to cancel.
    if (run && engine.running()?.id === run) engine.cancel(run);
  };
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    ctx.phase('knobs');
    await setKnob(host, 'pool_max', plan.pool_max);
    if (host.workers !== plan.workers) await setKnob(host, 'workers', plan.workers);
    // Starting workers is most of a budget's time on a busy machine: said, so a slow run shows where it waits.
    ctx.note(`pool_max ${plan.pool_max} and ${plan.workers} worker${plan.workers === 1 ? '' : 's'} in force after ${seconds(began)} s`);
    if (ctx.signal.aborted) throw new JobCancelledError();
    ctx.phase('load');
    // The shards' own clock: a connection used after this belongs to a pool in force now.
    const since = await Promise.all(shards.map(async (s) => (await s.pool.query<{ t: string }>('SELECT clock_timestamp()::text AS t')).rows[0]!.t));
    const held = await Promise.allSettled(shards.map(holdWrites));
    releases = held.flatMap((h) => (h.status === 'fulfilled' ? [h.value] : []));
    const refused = held.find((h) => h.status === 'rejected');
    if (refused) throw refused.reason;
    const scenario = findScenario(plan.scenario)!;
    const started = engine.start({ scenario, connections: plan.load_connections, duration_s: plan.duration_s, warmup_s: 0, seed: false });
    run = started.id;
    ctx.note(`load test ${started.id}: ${plan.scenario}, ${plan.load_connections} connections for ${plan.duration_s} s`);
    let running = true;
    const ended = engine.wait().finally(() => (running = false));
    const t0 = Date.now();
    // One more round after the run: connections stay open until the pool's idle timeout.
    for (let last = false; !last; ) {
      last = !running;
      // A cancel that came before the run had an id stops it here.
      if (ctx.signal.aborted) onAbort();
      await Promise.all(shards.map((s, i) => sample(s, since[i]!, plan.workers, tallies[i]!)));
      samples++;
      if (releases.length && tallies.every((t) => t.peak >= plan.formula)) {
        ctx.note(`Every pool was full after ${seconds(t0)} s: writes go on.`);
        await releaseAll();
      }
      ctx.progress(Math.min(plan.duration_s, Math.floor((Date.now() - t0) / 1000)), plan.duration_s);
      if (!last) await Promise.race([ended, new Promise((r) => setTimeout(r, SAMPLE_MS))]);
    }
    ctx.note(`load test ${started.id} ended after ${seconds(t0)} s`);
    const view = await engine.get(started.id);
    if (ctx.signal.aborted) throw new JobCancelledError();
    if (view?.state !== 'finished') throw new Error(`load test ${started.id} ended ${view?.state}${view?.error ? `: ${view.error}` : ''}`);
    const result = shards.map(
      (s, i): BudgetShard => ({
        shard: s.name,
        peak: tallies[i]!.peak,
        processes: tallies[i]!.apps.size,
        per_process_peak: tallies[i]!.per_process,
        formula: plan.formula,
        others_peak: tallies[i]!.others,
        max_connections: limits[i]!.max,
        original_share: Math.round((ORIGINAL_BUDGET.connections / limits[i]!.max) * 100) / 100,
      }),
    );
    for (const s of result)
      ctx.note(`${s.shard}: peak ${s.peak} API connections (${plan.formula} by the formula), ${s.others_peak} others, max_connections ${s.max_connections}`);
    return { plan, run: started.id, samples, shards: result, original: ORIGINAL_BUDGET, rule: rule(plan, result) };
  } catch (err) {
    if (ctx.signal.aborted) throw new JobCancelledError({ run, restored: ['pool_max', 'workers'] });
    throw err;
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    await releaseAll();
    const back = Date.now();
    await restore();
    ctx.note(`pool_max and workers back as they were after ${seconds(back)} s`);
  }
}
