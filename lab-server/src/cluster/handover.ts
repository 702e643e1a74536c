import fsp from 'node:fs/promises';
import type pg from 'pg';
import type { LabConfig } from '../config.js';
import type { EmbeddedServer } from './embedded-server.js';
import { ClusterError } from './errors.js';
import type { HealthMonitor } from './health-monitor.js';
import type { ServerLayout } from './layout.js';
import type { Replicas } from './replicas.js';
import { notOwned, redact, type ClusterMode, type Log, type Replica, type Shard, type ShardStatus } from './shard.js';
import type { ShardPools } from './shard-pools.js';
import type { ShardSet } from './shard-set.js';

// Promotion of a shard's replica to its primary, and holding a shard's queries while its servers change hands.

export interface Promotion {
  /** switchover: the primary was up and handed over cleanly; failover: it was down or paused, and was killed. */
  kind: 'switchover' | 'failover';
  old_primary: { url: string; pid: number | null; data_dir: string; status: ShardStatus };
  new_primary: { url: string; pid: number | null; data_dir: string };
  /** Switchover: the primary's WAL position when writes were paused; the replica replayed at least this far. */
  primary_lsn: string | null;
  /** The last WAL position the replica had received when it was promoted: everything after it is lost. */
  received_lsn: string;
  /** The replica's lag as last measured by the health monitor, before the promotion. */
  last_known_lag_bytes: number | null;
}

const CATCH_UP_MS = 15_000;
/** How long a switchover lets the shard's running queries finish before the old primary stops. */
const HANDOVER_DRAIN_MS = 5_000;

/** How long a held shard waits for its running queries before a swap goes on (a request's own timeout is longer). */
const DRAIN_LIMIT_MS = 2_000;

export class Handover {
  private readonly holds = new Map<Shard, { count: number; resolve: () => void }>();

  constructor(
    private readonly set: ShardSet,
    private readonly replicas: Replicas,
    private readonly pools: ShardPools,
    private readonly layout: ServerLayout,
    private readonly health: HealthMonitor,
    private readonly mode: ClusterMode,
    private readonly config: Pick<LabConfig, 'pool'>,
    private readonly log: Log,
  ) {}

  /**
   * Makes the shard's queries wait (in ShardPools.onShard) until the returned function is called; holds nest,
   * and the queries go on when the last is released. A promotion holds its shard while the servers change hands.
   */
  hold(id: number): () => void {
    const shard = this.set.shard(id);
    let held = this.holds.get(shard);
    if (!held) {
      let resolve!: () => void;
      shard.handover = new Promise<void>((r) => (resolve = r));
      held = { count: 0, resolve };
      this.holds.set(shard, held);
    }
    held.count++;
    const h = held;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--h.count > 0) return;
      this.holds.delete(shard);
      shard.handover = null;
      h.resolve();
    };
  }

  /**
   * Holds every given shard, then waits (up to DRAIN_LIMIT_MS) for the queries already running on them to end:
   * what a database swap needs, since it ends every session of the database it renames.
   */
  async holdDrained(ids: readonly number[]): Promise<() => void> {
    const releases = ids.map((id) => this.hold(id));
    await Promise.all(ids.map((id) => this.pools.drained(id, DRAIN_LIMIT_MS)));
    return () => {
      for (const release of releases) release();
    };
  }

  /**
   * Makes the shard's replica its primary. With the primary up this is a switchover: the replica catches up,
   * the primary shuts down cleanly (which streams the last of its WAL first), and nothing is lost. With the
   * primary down or paused it is a failover: the old primary is fenced off with SIGKILL, and whatever it had
   * not streamed is gone. The old primary's data directory is then removed: it must never come back as a
   * second primary. A new replica can be built in its place.
   */
  async promote(id: number): Promise<Promotion> {
    const shard = this.set.shard(id);
    const old = shard.server;
    const replica = shard.replica;
    if (this.mode !== 'embedded' || !old) throw new ClusterError(notOwned(this.mode, 'Promotion'));
    if (!replica?.server) throw new ClusterError(`${shard.name} has no replica to promote; add one first (POST /lab/v1/shards/${shard.name}/replicas).`);
    const replicaServer = replica.server;
    if (replica.status !== 'up') throw new ClusterError(`${replica.name} is down, so it cannot take over ${shard.name}.`);
    const kind = shard.status === 'up' && old.pid !== null ? 'switchover' : 'failover';
    const before = { url: shard.url, pid: old.pid, data_dir: old.spec.dataDir, status: shard.status };
    let primaryLsn: string | null = null;
    if (kind === 'switchover') {
      primaryLsn = await walPosition(shard.pool, 'pg_current_wal_lsn()');
      await waitForReplay(replica.pool, primaryLsn, replica.name);
    }
    const lagBefore = replica.lag.bytes;
    // From here on the shard's queries wait for the new primary, and those already running finish first.
    const release = this.hold(shard.id);
    let received: string;
    try {
      received = await this.handOver(shard, old, replica, replicaServer, kind);
    } finally {
      release();
    }
    await fsp.rm(old.spec.dataDir, { recursive: true, force: true });
    await this.replicas.forget(shard);
    await this.layout.save();
    await this.health.check();
    this.set.announce();
    this.log(`${shard.name}: ${replica.name} promoted (${kind}); the primary is now ${redact(shard.url)}.`);
    return {
      kind,
      old_primary: before,
      new_primary: { url: shard.url, pid: replicaServer.pid, data_dir: replicaServer.spec.dataDir },
      primary_lsn: primaryLsn,
      received_lsn: received,
      last_known_lag_bytes: lagBefore,
    };
  }

  /** The promotion proper: the old primary stops, the replica replays what it has and is promoted, the shard points at it. */
  private async handOver(shard: Shard, old: EmbeddedServer, replica: Replica, replicaServer: EmbeddedServer, kind: Promotion['kind']): Promise<string> {
    if (kind === 'switchover') {
      await idle(shard.pool, Math.min(this.config.pool.statementTimeoutMs, HANDOVER_DRAIN_MS));
      await old.stop();
    } else {
      await old.kill();
    }
    let received: string;
    try {
      // A clean shutdown sent everything; after a kill, what arrived is all there is. Either way, replay it all first.
      await waitForReplay(replica.pool, null, replica.name);
      received = await walPosition(replica.pool, 'greatest(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())');
      const { rows } = await replica.pool.query<{ promoted: boolean }>('SELECT pg_promote(true, 60) AS promoted');
      if (!rows[0]?.promoted) throw new ClusterError(`${replica.name} did not finish promotion within 60 s; see ${replicaServer.logFile}.`);
    } catch (err) {
      // A switchover that cannot finish gives the shard its primary back.
      if (kind === 'switchover') await old.start().catch(() => undefined);
      throw err;
    }
    await replica.pool.query('ALTER SYSTEM RESET primary_conninfo');
    await replica.pool.query('ALTER SYSTEM RESET primary_slot_name');
    await replica.pool.query('SELECT pg_reload_conf()');

    shard.replica = null;
    replica.probe.close();
    await replica.pool.end().catch(() => undefined);
    shard.server = replicaServer;
    shard.slot = shard.slot === 0 ? 1 : 0;
    this.set.watchPrimary(shard, replicaServer);
    await this.pools.repoint(shard, replica.url);
    return received;
  }
}

/** Resolves once no client of the pool is lent out (or after `ms`: what still runs then is cut off). */
async function idle(pool: pg.Pool, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (pool.totalCount - pool.idleCount > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

async function walPosition(pool: pg.Pool, expression: string): Promise<string> {
  const { rows } = await pool.query<{ lsn: string }>(`SELECT (${expression})::text AS lsn`);
  return rows[0]!.lsn;
}

/**
 * Waits until the replica has replayed up to `target`, or (null) everything it has received; a replica that
 * does not get there in time is an error, before anything has changed.
 */
async function waitForReplay(replica: pg.Pool, target: string | null, name: string): Promise<void> {
  const deadline = Date.now() + CATCH_UP_MS;
  for (;;) {
    const { rows } = await replica.query<{ done: boolean }>(
      target === null
        ? 'SELECT pg_last_wal_receive_lsn() IS NULL OR pg_last_wal_replay_lsn() >= pg_last_wal_receive_lsn() AS done'
        : 'SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done',
      target === null ? [] : [target],
    );
    if (rows[0]?.done) return;
    if (Date.now() > deadline)
      throw new ClusterError(`${name} did not catch up${target ? ` to ${target}` : ''} within ${CATCH_UP_MS / 1000} s; nothing was promoted.`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
