import type pg from 'pg';
import type { Shard } from '../cluster/cluster.js';
import type { ShardSpec } from '../cluster/topology-store.js';
import { isShutdown, JobCancelledError, throwIfCancelled, type JobContext } from '../jobs/registry.js';
import { routerFor } from '../sharding/strategies.js';
import type { ReshardHost } from './ring-control.js';
import { migrate, migrationStatus, throwIfFailed } from '../migrations/index.js';
import { matchMessagesLayout } from '../partitioning/messages-monthly.js';
import { matchUsersLayout } from '../partitioning/users-partitioned.js';
import type { Router } from '../sharding/router.js';
import type { HashRange } from '../sharding/write-gate.js';
import { BulkConnections, type WithBulk } from './bulk.js';
import { countInRanges, deleteInRanges, type TableChecksum } from './checksum.js';
import { planReshard, type ReshardPlan, type Stream } from './plan.js';
import {
  createSyncTable,
  dropPublication,
  dropSubscription,
  dropSyncTable,
  installGuard,
  publish,
  removeGuard,
  restoreReplicaIdentity,
  streamName,
  subscribe,
  sweep,
  copyState,
  rowsBeingCopied,
} from './replication.js';
import type { ReshardStep } from './steps.js';
import { compareChecksums, syncStreams, takeSnapshot } from './verify.js';

/** How the shard set changes: a shard joins (provisioned by the job) or one leaves (drained, then stopped). */
export type ShardChange = { kind: 'add'; id: number; url: string | null } | { kind: 'remove'; id: number };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One shard change as it goes through its phases: what each phase needs, and what it leaves for the next. */
export interface Move {
  lab: ReshardHost;
  change: ShardChange;
  ctx: JobContext;
  /** Names this move's publications, subscriptions and sync tables. */
  job: string;
  withBulk: WithBulk;
  /** Enters a phase, first holding there when the learner asked to go step by step. */
  step(name: ReshardStep): Promise<void>;
  plan: ReshardPlan;
  afterSpecs: ShardSpec[];
  after: Router;
  /** A shard that rejoins (undoing its removal) is still running. */
  rejoining: ShardSpec | undefined;
  /** The shard this move started, removed again by a rollback. */
  added: Shard | null;
  /** Past this the new ring has served requests: no rollback, only a move back. */
  cutover: boolean;
  /** Streams with a subscription, dropped by cleanup or rollback. */
  subscribed: Stream[];
}

/** The plan phase: which hash ranges change owner, and how many rows they hold. */
export async function planMove(
  lab: ReshardHost,
  bulk: BulkConnections,
  change: ShardChange,
  ctx: JobContext,
  pauseBefore: readonly ReshardStep[],
): Promise<Move> {
  const { cluster } = lab;
  ctx.phase('plan');
  const before = lab.ring.router;
  const currentSpecs = lab.ring.version.shards;
  // A shard that rejoins (undoing its removal) is still running; a new one gets a server or the given URL.
  const rejoining = change.kind === 'add' ? cluster.specs().find((s) => s.id === change.id) : undefined;
  // Ordered by id, so that undoing a removal gives back the very ring it changed.
  const afterSpecs: ShardSpec[] =
    change.kind === 'add'
      ? [
          ...currentSpecs,
          rejoining ?? (change.url ? { id: change.id, name: `shard-${change.id}`, url: change.url, port: null } : cluster.layout.spec(change.id)),
        ].sort((a, b) => a.id - b.id)
      : currentSpecs.filter((s) => s.id !== change.id);
  const after = routerFor(lab.ring.with(afterSpecs));
  const plan = await planReshard(cluster, before, after, afterSpecs);
  ctx.note(
    `${plan.moves.length} hash ranges (${(plan.moved_fraction * 100).toFixed(2)} % of the key space) change owner: ${plan.total_rows} rows in ${plan.tables.join(', ')}.`,
  );
  ctx.progress(0, plan.total_rows);
  return {
    lab,
    change,
    ctx,
    job: `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`,
    withBulk: <T>(shardId: number, fn: (db: pg.Client) => Promise<T>) => bulk.use(shardId, fn),
    step: async (name) => {
      throwIfCancelled(ctx.signal);
      if (pauseBefore.includes(name)) await ctx.hold(`before ${name}`);
      ctx.phase(name);
    },
    plan,
    afterSpecs,
    after,
    rejoining,
    added: null,
    cutover: false,
    subscribed: [],
  };
}

/** The provision phase (adding only): the new shard's server started or reached, and migrated. */
export async function provision(m: Move): Promise<void> {
  const { lab, ctx, change } = m;
  const { cluster } = lab;
  if (change.kind !== 'add') return;
  await m.step('provision');
  // Migrated before the cluster lists it: nothing that walks the shards (the outbox, the placement audit) meets it without its schema.
  const prepare = async (server: { name: string; url: string }) => {
    const dir = lab.config.migrationsDir;
    throwIfFailed(await migrate([server], dir, 'latest'));
    // Proven, not assumed: the new shard's own ledger is read back, beside the serving shards', before it takes traffic.
    const serving = cluster.shards.filter((s) => s.name !== server.name && s.status === 'up');
    const [mine, ...others] = await migrationStatus([server, ...serving], dir);
    if (!mine || mine.error || mine.pending.length > 0) {
      throw new Error(`${server.name} is not at the latest schema after migrating: ${mine?.error ?? `pending ${mine?.pending.join(', ')}`}`);
    }
    // The Partitioning chapter's users, hash-partitioned on the serving shards: the new shard gets the same shape while empty.
    const partitions = serving[0] ? await cluster.pools.onShard(serving[0].id, (pool) => matchUsersLayout(pool, server.url)) : null;
    if (partitions !== null) ctx.note(`${server.name}: users hash-partitioned ${partitions} ways, as on ${serving[0]!.name}.`);
    const months = serving[0] ? await cluster.pools.onShard(serving[0].id, (pool) => matchMessagesLayout(pool, server.url)) : null;
    if (months !== null) ctx.note(`${server.name}: messages partitioned by month (${months.length} months and a DEFAULT), as on ${serving[0]!.name}.`);
    const behind = others.filter((o) => o.error === null && o.pending.length > 0).map((o) => o.shard);
    ctx.note(
      `${server.name} migrated and proven at the latest schema: ${mine.applied.length} migrations applied, the last ${mine.applied.at(-1)?.name ?? 'none'}` +
        (behind.length > 0 ? `; ${behind.join(', ')} lag behind it (run migrate latest).` : ', as on every serving shard.'),
    );
  };
  if (m.rejoining) {
    await prepare(cluster.shard(change.id));
    ctx.note(`shard-${change.id} is still running; it rejoins.`);
  } else {
    const added = change.url ? await cluster.servers.addExternal(change.id, change.url, prepare) : await cluster.servers.addEmbedded(change.id, prepare);
    m.added = added;
    ctx.note(
      `${added.name} started${added.server ? ` (pid ${added.server.pid}, port ${added.server.spec.port})` : ''} and joined the cluster; it takes no traffic until cutover.`,
    );
  }
}

/** The original's way: the ring changes and nothing moves; the rows the new ring looks for elsewhere are orphans. */
export async function cutOverFaithfully(m: Move): Promise<{ ring_version: number; orphans: { shard: string; rows: number }[] }> {
  const { lab, ctx, change, plan } = m;
  await m.step('cutover');
  const ring = await lab.ring.switch({ ...lab.ring.with(m.afterSpecs), reason: `${change.kind} shard-${change.id} (faithful: nothing moved)` });
  m.cutover = true;
  ctx.note(`Ring version ${ring.version} routes by ${m.after.names.length} shards; ${plan.total_rows} rows stay where the new ring no longer looks for them.`);
  return { ring_version: ring.version, orphans: orphanCounts(plan) };
}

/** The copy phase: one publication per source and subscription per target, filtered to the moving ranges, until every table is synced. */
export async function copy(m: Move): Promise<void> {
  const { lab, ctx, plan, withBulk, job } = m;
  await m.step('copy');
  await assertTargetsEmpty(withBulk, plan, lab.ring.version.version);
  for (const id of new Set(plan.streams.flatMap((s) => [s.from.id, s.to.id]))) await withBulk(id, createSyncTable);
  for (const stream of plan.streams) {
    const name = streamName(job, stream.from.id, stream.to.id);
    await withBulk(stream.from.id, (db) => publish(db, name, plan.tables, stream.ranges));
    m.subscribed.push(stream);
    await withBulk(stream.to.id, (db) => subscribe(db, name, lab.cluster.shard(stream.from.id).url));
    ctx.note(`Streaming ${stream.rows} rows from ${stream.from.name} to ${stream.to.name} (publication and subscription ${name}).`);
  }
  await waitForCopy(withBulk, job, plan, ctx);
}

/** Writes to the moving ranges wait at the gate, and the guard refuses any that bypass it, while `fn` runs; returns the pause in ms. */
async function paused(m: Move, fn: () => Promise<void>): Promise<number> {
  const { lab, plan, withBulk } = m;
  const moving: HashRange[] = plan.moves.map(({ start, end }) => ({ start, end }));
  const sources = [...new Set(plan.streams.map((s) => s.from.id))];
  const started = performance.now();
  await lab.ring.fence({ ranges: moving });
  try {
    await Promise.all(
      sources.map((id) =>
        withBulk(id, (db) =>
          installGuard(
            db,
            plan.tables,
            plan.streams.filter((x) => x.from.id === id).flatMap((x) => x.ranges),
          ),
        ),
      ),
    );
    await fn();
  } finally {
    await Promise.all(sources.map((id) => withBulk(id, removeGuard))).catch(() => undefined);
    await lab.ring.lift();
  }
  return Math.round(performance.now() - started);
}

/**
 * The verify phase. A brief pause freezes the moving ranges at one point; once every stream has applied up to
 * it, both sides take a snapshot there. The checksums then run on those snapshots while writes go on.
 */
export async function verify(m: Move): Promise<{ tables: TableChecksum[]; pauseMs: number }> {
  const { lab, ctx, plan, withBulk, job } = m;
  await m.step('verify');
  const snapshots = new BulkConnections(lab.cluster, 'shard-lab-reshard-verify');
  try {
    // Connected before the pause, so that the pause only takes the snapshots.
    const involved = [...new Set(plan.streams.flatMap((s) => [s.from.id, s.to.id]))];
    await Promise.all(involved.map((id) => snapshots.use(id, async () => undefined)));
    const pauseMs = await paused(m, async () => {
      await syncStreams(withBulk, job, plan, ctx);
      await Promise.all(involved.map((id) => snapshots.use(id, takeSnapshot)));
    });
    ctx.note(`Writes to the moving ranges paused for ${pauseMs} ms while every stream caught up and both sides took a snapshot.`);
    return { tables: await compareChecksums(snapshots, plan, ctx), pauseMs };
  } finally {
    await snapshots.close();
  }
}

/**
 * The cutover phase: the second pause lets every stream catch up once more (the changes since the snapshots
 * travel the same verified stream), then switches the ring. Returns the pause in ms.
 */
export async function cutOver(m: Move): Promise<number> {
  const { lab, ctx, change, plan, withBulk, job } = m;
  throwIfCancelled(ctx.signal);
  ctx.phase('cutover');
  const pauseMs = await paused(m, async () => {
    await syncStreams(withBulk, job, plan, ctx);
    const ring = await lab.ring.switch({ ...lab.ring.with(m.afterSpecs), reason: `${change.kind} shard-${change.id} (rebalanced)` });
    m.cutover = true;
    ctx.note(`Ring version ${ring.version} is live.`);
  });
  ctx.note(`Writes to the moving ranges paused for ${pauseMs} ms at cutover.`);
  return pauseMs;
}

/** The cleanup phase: streams dropped, moved rows deleted from their old shards, a removed shard drained and stopped. */
export async function cleanUp(m: Move): Promise<void> {
  const { lab, ctx, change, plan, withBulk, job } = m;
  const { cluster } = lab;
  await m.step('cleanup').catch((err: unknown) => {
    if (!(err instanceof JobCancelledError)) throw err;
  });
  ctx.phase('cleanup');
  await dropStreams(withBulk, job, m.subscribed);
  let deleted = 0;
  for (const stream of plan.streams) {
    deleted += await withBulk(stream.from.id, async (db) => {
      let n = 0;
      for (const table of [...plan.tables].reverse()) n += await deleteInRanges(db, table, stream.ranges);
      return n;
    });
  }
  ctx.note(`Deleted ${deleted} moved rows from their old shards.`);
  const added = m.added;
  if (change.kind === 'remove' && ctx.signal.aborted && !isShutdown(ctx.signal)) {
    ctx.note(`shard-${change.id} keeps running, empty: the cancel brings its rows back to it.`);
  } else if (change.kind === 'remove') {
    const gone = cluster.shard(change.id);
    await drainOutbox(lab, gone.name, ctx);
    await cluster.servers.remove(change.id, { deleteData: true });
    ctx.note(`${gone.name} drained and stopped; its data directory was removed.`);
  } else if (added?.server && lab.config.replicas && !ctx.signal.aborted) {
    // LAB_REPLICAS=1 gives every shard a replica, this one too; the move itself is done either way.
    await cluster.replicas
      .add(added.id)
      .then((r) => ctx.note(`LAB_REPLICAS=1: ${r.name} streams from ${added.name}.`))
      .catch((err: unknown) =>
        ctx.note(
          `LAB_REPLICAS=1, but ${added.name}'s replica could not be built: ${err instanceof Error ? err.message : String(err)}. Add it with POST /lab/v1/shards/${added.name}/replicas.`,
        ),
      );
  }
}

/** Before cutover a failure or cancel puts everything back as it was: streams, partial copies, the added shard. */
export async function rollBack(m: Move): Promise<void> {
  const { lab, ctx, change, plan, withBulk, job } = m;
  ctx.phase('rollback');
  await dropStreams(withBulk, job, m.subscribed).catch(() => undefined);
  if (change.kind === 'remove') {
    // Partial copies on the shards that were to receive the drained shard's rows.
    for (const stream of m.subscribed) {
      await withBulk(stream.to.id, async (db) => {
        for (const table of [...plan.tables].reverse()) await deleteInRanges(db, table, stream.ranges);
      }).catch(() => undefined);
    }
  }
  if (m.added) await lab.cluster.servers.remove(m.added.id, { deleteData: true }).catch(() => undefined);
  await sweep(lab.cluster, lab.log).catch(() => undefined);
  ctx.note(`Rolled back: ring version ${lab.ring.version.version} and its ${lab.ring.version.shards.length} shards, as before.`);
}

/**
 * A receiving shard must hold no rows yet in the ranges it receives. Orphans left by a faithful change would
 * sit there: the copy would mix with them, verify would fail, and a rollback would delete them. Refuse first.
 */
async function assertTargetsEmpty(withBulk: WithBulk, plan: ReshardPlan, ringVersion: number): Promise<void> {
  for (const stream of plan.streams) {
    let rows = 0;
    for (const table of plan.tables) rows += await withBulk(stream.to.id, (db) => countInRanges(db, table, stream.ranges));
    if (rows > 0) {
      throw new Error(
        `${stream.to.name} already holds ${rows} rows in the hash ranges it would receive from ${stream.from.name} — orphans of a faithful change ` +
          `(ring version ${ringVersion} routes them elsewhere). Moving now would mix them with the copies; nothing was changed. ` +
          `Undo the faithful change first (make the same change faithfully in reverse), then rebalance.`,
      );
    }
  }
}

async function waitForCopy(withBulk: WithBulk, job: string, plan: ReshardPlan, ctx: JobContext): Promise<void> {
  let last = { seen: '', at: Date.now(), failures: 0 };
  for (;;) {
    throwIfCancelled(ctx.signal);
    const waiting: string[] = [];
    let failures = 0;
    let copied = 0;
    for (const stream of plan.streams) {
      await withBulk(stream.to.id, async (db) => {
        const state = await copyState(db, streamName(job, stream.from.id, stream.to.id));
        waiting.push(...state.waiting.map((t) => `${t} on ${stream.to.name} from ${stream.from.name}`));
        failures += state.failures;
        for (const table of plan.tables) copied += await countInRanges(db, table, stream.ranges);
      });
    }
    // A target's copies in flight, once per target (a copy from each source may be running into it).
    for (const target of new Set(plan.streams.map((s) => s.to.id))) copied += await withBulk(target, (db) => rowsBeingCopied(db, plan.tables));
    ctx.progress(Math.min(copied, plan.total_rows), plan.total_rows);
    if (waiting.length === 0) return;
    const seen = `${copied} ${waiting.join()}`;
    if (seen !== last.seen) last = { seen, at: Date.now(), failures };
    else if (Date.now() - last.at > COPY_STALL_MS && failures > last.failures) {
      // Slow is fine; no progress while PostgreSQL keeps failing the same copies is not: fail (and roll back) with where to look.
      throw new Error(
        `The initial copy made no progress for ${COPY_STALL_MS / 1000} s while it failed ${failures - last.failures} more times: still waiting for ${waiting.join('; ')}. The reason is in those shards' PostgreSQL logs (pg_stat_subscription_stats counts the failures); the move is rolled back.`,
      );
    }
    await sleep(250);
  }
}

/** How long the copy may show no progress while its table copies keep failing, before the move gives up. */
const COPY_STALL_MS = 120_000;

async function dropStreams(withBulk: WithBulk, job: string, streams: Stream[]): Promise<void> {
  for (const stream of streams) {
    const name = streamName(job, stream.from.id, stream.to.id);
    await withBulk(stream.to.id, (db) => dropSubscription(db, name));
    await withBulk(stream.from.id, async (db) => {
      await dropPublication(db, name);
      await restoreReplicaIdentity(db);
    });
  }
  for (const id of new Set(streams.flatMap((s) => [s.from.id, s.to.id]))) await withBulk(id, dropSyncTable);
}

const OUTBOX_DRAIN_MS = 60_000;

/**
 * A drained shard may still hold outbox events (cross-shard cleanups written before cutover); it is stopped
 * only once they are applied. If they are not, it keeps running outside the ring, and removing it again later
 * finishes the job: nothing in its outbox is lost.
 */
async function drainOutbox(lab: ReshardHost, shard: string, ctx: JobContext): Promise<void> {
  const deadline = Date.now() + OUTBOX_DRAIN_MS;
  for (;;) {
    const pending = await lab.outboxPending(shard);
    if (pending === 0) return;
    if (Date.now() > deadline) {
      throw new Error(
        `${shard} is out of the ring, but its outbox still holds ${pending ?? 'an unknown number of'} events; it keeps running until they are applied — remove it again later.`,
      );
    }
    ctx.note(`Waiting for ${pending} outbox events on ${shard} to be applied before stopping it.`);
    await sleep(1_000);
  }
}

function orphanCounts(plan: ReshardPlan): { shard: string; rows: number }[] {
  const by = new Map<string, number>();
  for (const m of plan.moves) by.set(m.from.name, (by.get(m.from.name) ?? 0) + m.rows);
  return [...by].map(([shard, rows]) => ({ shard, rows }));
}
