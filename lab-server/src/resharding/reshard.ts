import { isShutdown, JobCancelledError, type JobContext } from '../jobs/registry.js';
import type { ReshardHost } from './ring-control.js';
import { BulkConnections } from './bulk.js';
import { copy, cutOver, cutOverFaithfully, cleanUp, planMove, provision, rollBack, verify, type ShardChange } from './phases.js';
import type { ReshardPlan } from './plan.js';
import type { ReshardStep } from './steps.js';

export type { ShardChange } from './phases.js';

export type ReshardMode = 'rebalance' | 'faithful';

/**
 * Adds or removes a shard online, in visible phases: plan → provision → copy (logical replication with row
 * filters on ring_hash) → verify (counts and per-row checksums, on snapshots both sides take during a brief
 * write pause on the moving ranges) → cutover (a second brief pause, the new ring version) → cleanup (moved
 * rows, publications, subscriptions, slots). Until cutover,
 * a failure or cancel puts everything back as it was; a cancel after cutover finishes the cleanup and then
 * moves the data back (the reverse change, in the same job). `faithful` reproduces the original: the ring
 * changes and nothing moves.
 */
export async function reshard(
  lab: ReshardHost,
  change: ShardChange,
  mode: ReshardMode,
  ctx: JobContext,
  pauseBefore: readonly ReshardStep[] = [],
): Promise<Record<string, unknown>> {
  return lab.ring.changeTopology(() => reshardExclusively(lab, change, mode, ctx, pauseBefore));
}

async function reshardExclusively(
  lab: ReshardHost,
  change: ShardChange,
  mode: ReshardMode,
  ctx: JobContext,
  pauseBefore: readonly ReshardStep[],
): Promise<Record<string, unknown>> {
  const bulk = new BulkConnections(lab.cluster, 'shard-lab-reshard');
  try {
    const result = await run(lab, bulk, change, mode, ctx, pauseBefore);
    // Cancelled after cutover: the new ring already served writes, so going back is a move of its own.
    if (!ctx.signal.aborted || isShutdown(ctx.signal)) return result;
    const reverse: ShardChange = change.kind === 'add' ? { kind: 'remove', id: change.id } : { kind: 'add', id: change.id, url: null };
    ctx.note(
      `Cancelled after cutover: moving the data back to return to the previous ${change.kind === 'add' ? `ring (without shard-${change.id})` : `ring (with shard-${change.id})`}.`,
    );
    const reverted = await run(lab, bulk, reverse, mode, revertContext(ctx), []);
    ctx.note(`Reverted: ring version ${lab.ring.version.version} routes over ${lab.ring.version.shards.map((x) => x.name).join(', ')}, as before the job.`);
    throw new JobCancelledError({ reverted: true, ring_version: lab.ring.version.version, forward: result, revert: reverted });
  } finally {
    await bulk.close();
  }
}

/** The job's context for undoing it: its phases marked as such, and no longer cancellable (it was cancelled). */
function revertContext(ctx: JobContext): JobContext {
  return { ...ctx, signal: new AbortController().signal, phase: (name) => ctx.phase(`revert ${name}`), hold: async () => undefined };
}

/** The whole move, top-down: plan → provision → (faithful: cutover) → copy → verify → cutover → cleanup, or rollback. */
async function run(
  lab: ReshardHost,
  bulk: BulkConnections,
  change: ShardChange,
  mode: ReshardMode,
  ctx: JobContext,
  pauseBefore: readonly ReshardStep[],
): Promise<Record<string, unknown>> {
  const started = performance.now();
  const m = await planMove(lab, bulk, change, ctx, pauseBefore);
  try {
    await provision(m);
    if (mode === 'faithful') {
      const { ring_version, orphans } = await cutOverFaithfully(m);
      return { mode, ring_version, plan: summary(m.plan), orphaned_rows: m.plan.total_rows, orphans, seconds: secondsSince(started) };
    }
    await copy(m);
    const verified = await verify(m);
    const pauseMs = await cutOver(m);
    await cleanUp(m);
    return {
      mode,
      ring_version: lab.ring.version.version,
      plan: summary(m.plan),
      moved_rows: verified.tables.reduce((n, t) => n + t.rows, 0),
      verify: { ok: true, tables: verified.tables },
      pause_ms: pauseMs,
      verify_pause_ms: verified.pauseMs,
      seconds: secondsSince(started),
    };
  } catch (err) {
    if (m.cutover) throw err;
    await rollBack(m);
    throw err;
  }
}

function summary(plan: ReshardPlan) {
  const { moves: _moves, streams, ...rest } = plan;
  return { ...rest, ranges: plan.moves.length, streams: streams.map((s) => ({ from: s.from.name, to: s.to.name, ranges: s.ranges.length, rows: s.rows })) };
}

const secondsSince = (t: number) => Math.round((performance.now() - t) / 10) / 100;
