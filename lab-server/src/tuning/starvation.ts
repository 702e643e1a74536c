import type { JobContext } from '../jobs/registry.js';
import type { LoadTestEngine } from '../loadtest/engine.js';
import type { RunView } from '../loadtest/run.js';
import { findScenario } from '../loadtest/scenarios.js';
import { type KnobHost, rememberKnobs, setKnob } from './knobs.js';

/**
 * The original's pool starvation at this machine's scale. Its "before" was a pool of 25 connections to one
 * database under 5,000 virtual users running the CRUD flow for 120 s, with a 10 s request timeout: 200 users
 * per connection. The lab keeps the ratios and shrinks the sizes:
 * - connections: `pool_max` per shard and API process, so a pool of 1 is `shards × processes` connections;
 * - users: 200 per pool connection, as in the original (5 shards, one process: 1,000, the crud scenario's size);
 * - the fix: the original's ×4 (25 → 100), here pool_max 1 → 4;
 * - time: the run is `duration_s` instead of 120 s, and the wait for a connection shrinks with it (10 s × duration ÷ 120).
 */
export const ORIGINAL = { pool: 25, pool_after: 100, users: 5000, duration_s: 120, timeout_ms: 10_000, scenario: 'crud' } as const;
export const USERS_PER_CONNECTION = ORIGINAL.users / ORIGINAL.pool;
const FIX = ORIGINAL.pool_after / ORIGINAL.pool;
/** The load generator's ceiling on connections (the run's limit). */
const MAX_USERS = 10_000;

export interface StarvationPlan {
  shards: number;
  /** Processes serving the API, each with its own pool per shard: the workers, or the primary alone. */
  processes: number;
  pool_before: number;
  pool_after: number;
  /** Pool connections the API may hold before the fix: pool_before × shards × processes. */
  connections_before: number;
  users: number;
  users_per_connection: number;
  duration_s: number;
  wait_ms: number;
  scenario: string;
  rule: string;
}

export function planStarvation(shards: number, workers: number, duration_s: number): StarvationPlan {
  const processes = Math.max(1, workers);
  const connections = shards * processes;
  const users = Math.min(MAX_USERS, USERS_PER_CONNECTION * connections);
  const wait_ms = Math.max(50, Math.round((ORIGINAL.timeout_ms * duration_s) / ORIGINAL.duration_s));
  return {
    shards,
    processes,
    pool_before: 1,
    pool_after: FIX,
    connections_before: connections,
    users,
    users_per_connection: users / connections,
    duration_s,
    wait_ms,
    scenario: ORIGINAL.scenario,
    rule:
      `The original: a pool of ${ORIGINAL.pool} against ${ORIGINAL.users.toLocaleString('en-US')} users (${USERS_PER_CONNECTION} per connection), ${ORIGINAL.duration_s} s, ` +
      `${ORIGINAL.timeout_ms / 1000} s timeout, fixed with a pool of ${ORIGINAL.pool_after}. Here: pool_max 1 × ${shards} shards × ${processes} process${processes === 1 ? '' : 'es'} = ` +
      `${connections} connections against ${users.toLocaleString('en-US')} users (${users / connections} per connection), ${duration_s} s, a ${wait_ms} ms wait ` +
      `(10 s × ${duration_s} ÷ 120), fixed with pool_max ${FIX} (the original's ×${FIX}).`,
  };
}

export interface StarvationSide {
  run: string;
  pool_max: number;
  pool_connections: number;
  requests: number;
  failed: number;
  success_pct: number;
  requests_per_s: number;
  latency_ms: { p50: number; p95: number; p99: number; max: number } | null;
  status_codes: Record<string, number>;
}

function side(run: RunView, pool: number, plan: StarvationPlan): StarvationSide {
  const s = run.summary;
  if (run.state !== 'finished' || !s) throw new Error(`load test ${run.id} ended ${run.state}${run.error ? `: ${run.error}` : ''}`);
  return {
    run: run.id,
    pool_max: pool,
    pool_connections: pool * plan.shards * plan.processes,
    requests: s.requests,
    failed: s.errors,
    success_pct: s.requests ? Math.round((1 - s.errors / s.requests) * 10_000) / 100 : 0,
    requests_per_s: Math.round(s.requests_per_s * 10) / 10,
    latency_ms: s.latency_ms ? { p50: s.latency_ms.p50, p95: s.latency_ms.p95, p99: s.latency_ms.p99, max: s.latency_ms.max } : null,
    status_codes: s.status_codes,
  };
}

/**
 * Runs the scaled "before" (pool_max 1) and the fix (pool_max 4) as two load tests of the crud scenario, with
 * the same users and wait, through the lab's own engine (so both are in the run history with their knobs);
 * puts the two pool knobs back as they were.
 */
export async function runStarvation(
  host: KnobHost,
  engine: Pick<LoadTestEngine, 'start' | 'wait' | 'get' | 'assertIdle'>,
  plan: StarvationPlan,
  ctx: JobContext,
  /** Seeds users when there are too few, while the pool is still healthy (seeding through a starved pool would crawl). */
  prepare: () => Promise<void>,
): Promise<{ plan: StarvationPlan; before: StarvationSide; after: StarvationSide; original: typeof ORIGINAL & { success_before: 42; success_after: 100 } }> {
  engine.assertIdle();
  const scenario = findScenario(plan.scenario)!;
  const restore = await rememberKnobs(host, ['pool_max', 'pool_wait_timeout_ms']);
  const once = async (pool: number): Promise<StarvationSide> => {
    ctx.phase(`pool_max ${pool}`);
    await setKnob(host, 'pool_max', pool);
    // This job has seeded (prepare): a seed job the run asked for would wait behind it, and it behind the run.
    const started = engine.start({ scenario, connections: plan.users, duration_s: plan.duration_s, warmup_s: 0, seed: false });
    ctx.note(`pool_max ${pool}: load test ${started.id}, ${plan.users} users for ${plan.duration_s} s`);
    await engine.wait();
    const view = await engine.get(started.id);
    const result = side(view!, pool, plan);
    ctx.note(`pool_max ${pool}: ${result.success_pct} % success, ${result.failed} failed, ${result.requests_per_s} req/s`);
    return result;
  };
  ctx.phase('users');
  await prepare();
  try {
    await setKnob(host, 'pool_wait_timeout_ms', plan.wait_ms);
    ctx.progress(0, 2);
    const before = await once(plan.pool_before);
    ctx.progress(1, 2);
    const after = await once(plan.pool_after);
    ctx.progress(2, 2);
    return { plan, before, after, original: { ...ORIGINAL, success_before: 42, success_after: 100 } };
  } finally {
    await restore();
  }
}
