import { createHash } from 'node:crypto';
import type pg from 'pg';
import { z } from 'zod';
import type { Cluster } from '../cluster/cluster.js';
import { stoppedShards } from '../cluster/shard.js';
import { ConflictError } from '../domain/errors.js';
import { throwIfCancelled, type JobContext } from '../jobs/registry.js';
import { listMigrations, migrate, migrationStatus, throwIfFailed } from '../migrations/index.js';
import { seed } from '../seeding/seed.js';
import type { Router } from '../sharding/router.js';
import { emptyMessengerTables } from './clear.js';
import {
  dropClones,
  dropRetired,
  dropSnapshot,
  listSnapshots,
  prepareClone,
  replaceWithEmpty,
  restoreSnapshot,
  takeSnapshot,
  type RestoreTiming,
} from './template-db.js';

/** What a chapter starts from (its front matter's `start:`): the configured shards, the schema at its latest, and this data. */
const count = (field: string, max: number) =>
  z
    .number({ error: `${field} must be a number` })
    .int(`${field} must be a whole number`)
    .min(0, `${field} must be at least 0`)
    .max(max, `${field} must be at most ${max.toLocaleString('en-US')}`)
    .default(0);

/** What a chapter starts from (its front matter's `start:`): the configured shards, the schema at its latest, and this data. */
export const StartSpecSchema = z
  .strictObject(
    { users: count('users', 1_000_000), conversations: count('conversations', 100_000), messages: count('messages', 1_000_000) },
    { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field(s): ${iss.keys.join(', ')}` : 'the start must be an object') },
  )
  .describe('the data a chapter starts from, seeded once and then restored from a snapshot on every shard');
export type StartSpec = z.output<typeof StartSpecSchema>;

const PREFIX = 'lab_start_';

/** Rows counted on every shard, to tell whether the cluster is at a start. */
export interface DataCounts {
  users: number;
  conversations: number;
  messages: number;
}

export interface StartState {
  counts: DataCounts;
  ring: string[];
  configured_shards: number;
  pending_migrations: number;
  /** The ways the cluster differs from `spec`, in words; empty when it is at the start. */
  differences: string[];
}

export interface RestoreReport extends Record<string, unknown> {
  spec: StartSpec;
  /** `restored`: cloned from the snapshots; `built`: seeded row by row and then snapshotted (the first time). */
  how: 'restored' | 'built';
  snapshot: string;
  ms: number;
  /** Per shard: building the start (`ms`), or restoring it (cloning now or 0, and the swap the shard could not answer in). */
  shards: ({ shard: string; ms: number } & Partial<RestoreTiming>)[];
}

export interface StartsHost {
  cluster: Pick<Cluster, 'shards' | 'pools' | 'handover'>;
  router(): Router;
  /** The prefork workers, when the lab runs them (lab/peers.ts's WritePeers; only what a swap needs). */
  peers(): { hold(): Promise<void>; release(): Promise<void> } | null;
  migrationsDir: string;
  configuredShards: number;
  /** Shards the lab did not start (LAB_SHARDS): their databases are not the lab's to drop. */
  external: boolean;
}

const fmt = (n: number) => n.toLocaleString('en-US');

/**
 * Chapter starts: the cluster brought to a known state in about a second. The first time a start is asked for,
 * the lab builds it the slow way (empty the tables, seed) and copies every shard's database into a snapshot
 * (`lab_start_<key>`); every later time it clones the snapshots back. A snapshot's key covers the data, the
 * ring's shards and the newest migration, so a changed schema or topology never restores a stale copy.
 */
export class ChapterStarts {
  /** Work left after a restore answered: the replaced databases dropped, the next clones made. */
  private background: Promise<void> = Promise.resolve();

  constructor(private readonly host: StartsHost) {}

  /** Waits for the work a restore left running (the lab does before it stops). */
  settle(): Promise<void> {
    return this.background;
  }

  /** What a snapshot for `spec` is taken of: the data, today's ring and the newest migration. */
  private async keyOf(spec: StartSpec): Promise<SnapshotKey> {
    const head = (await listMigrations(this.host.migrationsDir)).at(-1) ?? '';
    return { spec, shards: [...this.host.router().names], head };
  }

  async state(spec: StartSpec): Promise<StartState> {
    const { cluster } = this.host;
    const [perShard, migrations] = await Promise.all([
      Promise.all(cluster.shards.map((s) => cluster.pools.onShard(s.id, (pool) => countRows(pool)))),
      migrationStatus(
        cluster.shards.map((s) => ({ name: s.name, url: s.url })),
        this.host.migrationsDir,
      ),
    ]);
    const counts = perShard.reduce((a, b) => ({
      users: a.users + b.users,
      conversations: a.conversations + b.conversations,
      messages: a.messages + b.messages,
    }));
    const ring = [...this.host.router().names];
    const pending = migrations.reduce((n, m) => n + m.pending.length, 0);
    const differences: string[] = [];
    if (ring.length !== this.host.configuredShards) differences.push(`the ring has ${ring.length} shards; the start has ${this.host.configuredShards}`);
    if (pending > 0) differences.push(`${pending} migrations are pending across the shards; the start has every one applied`);
    for (const table of ['users', 'conversations', 'messages'] as const) {
      if (counts[table] !== spec[table]) differences.push(`${fmt(counts[table])} ${table}; the start has ${fmt(spec[table])}`);
    }
    return { counts, ring, configured_shards: this.host.configuredShards, pending_migrations: pending, differences };
  }

  /** The snapshots on the first shard (every shard holds the same ones), newest key first. */
  async snapshots(): Promise<{ name: string; bytes: number; key: SnapshotKey | null }[]> {
    const first = this.host.cluster.shards[0];
    if (!first) return [];
    const found = await listSnapshots(first.url, PREFIX);
    return found.map((s) => ({ name: s.name, bytes: s.bytes, key: parseKey(s.comment) }));
  }

  /** A start replaces every shard's database: with one down it would leave the shards apart, so it is refused, naming them. */
  assertEveryShardUp(): void {
    const down = stoppedShards(this.host.cluster.shards);
    if (down.names.length > 0)
      throw new ConflictError(
        'shard_not_up',
        `${down.said}: a start replaces every shard's data, so start or resume ${down.names.length === 1 ? 'it' : 'them'} first (shards start, shards resume). Nothing was changed.`,
        { shards: down.names },
      );
  }

  /**
   * Brings the data to `spec` (the ring must already have the configured shards): a clone of the snapshots when
   * every shard has one, else a rebuild that leaves snapshots behind for next time.
   */
  async restore(spec: StartSpec, ctx: JobContext): Promise<RestoreReport> {
    this.assertEveryShardUp();
    const ring = this.host.router().names;
    if (ring.length !== this.host.configuredShards) {
      throw new ConflictError(
        'ring_not_at_start',
        `The ring has ${ring.length} shards and the start has ${this.host.configuredShards}: remove or add shards first (a chapter's reset does).`,
      );
    }
    const started = performance.now();
    const key = await this.keyOf(spec);
    const name = snapshotName(key);
    const { shards } = this.host.cluster;
    await this.background;
    if (!this.host.external && (await this.everyShardHas(name))) {
      ctx.phase('restore');
      const restored = await this.holding(() =>
        Promise.all(
          shards.map(async (s) => {
            const timing = await restoreSnapshot(s.url, name);
            return { shard: s.name, ms: timing.clone_ms + timing.swap_ms, ...timing };
          }),
        ),
      );
      const rows = spec.users + spec.conversations + spec.messages;
      ctx.progress(rows, rows);
      const report: RestoreReport = { spec, how: 'restored', snapshot: name, ms: performance.now() - started, shards: restored };
      this.afterwards(name);
      return report;
    }
    // Built from the migrations alone, on a new database (only the rows, on servers the lab does not own).
    const targets = shards.map((s) => ({ name: s.name, url: s.url }));
    ctx.phase('empty');
    if (this.host.external) {
      await emptyMessengerTables(this.host.cluster);
      throwIfFailed(await migrate(targets, this.host.migrationsDir, 'latest'));
    } else {
      await this.holding(async () => {
        await Promise.all(shards.map((s) => replaceWithEmpty(s.url)));
        ctx.phase('migrate');
        throwIfFailed(await migrate(targets, this.host.migrationsDir, 'latest'));
      });
    }
    throwIfCancelled(ctx.signal);
    if (spec.users + spec.conversations + spec.messages > 0) {
      ctx.phase('seed');
      await seed(this.host.cluster, this.host.router(), spec, ctx);
    }
    if (this.host.external) return { spec, how: 'built', snapshot: '', ms: performance.now() - started, shards: [] };
    ctx.phase('snapshot');
    await this.dropStale(key);
    const taken = await this.holding(() => Promise.all(shards.map(async (s) => ({ shard: s.name, ms: await takeSnapshot(s.url, name, JSON.stringify(key)) }))));
    this.afterwards(name);
    return { spec, how: 'built', snapshot: name, ms: performance.now() - started, shards: taken };
  }

  /**
   * Holds every shard's queries (as a promotion does), here and in every prefork worker, once those running have
   * ended, while its database is swapped or rebuilt: a request waits a moment instead of meeting a database that is
   * being renamed, a session ended under it, or a database without its tables yet.
   */
  private async holding<T>(work: () => Promise<T>): Promise<T> {
    const release = await this.host.cluster.handover.holdDrained(this.host.cluster.shards.map((s) => s.id));
    // The prefork workers have pools of their own on the same databases: they hold theirs too.
    const peers = this.host.peers();
    try {
      await peers?.hold();
      return await work();
    } finally {
      release();
      await peers?.release();
    }
  }

  /** After answering: drop the database a swap replaced, and clone the snapshot again so the next restore is a rename. */
  private afterwards(snapshot: string): void {
    const shards = this.host.cluster.shards.map((s) => s.url);
    this.background = Promise.all(
      shards.map(async (url) => {
        await dropRetired(url);
        await prepareClone(url, snapshot);
      }),
    ).then(
      () => undefined,
      () => undefined,
    );
  }

  /** Drops the lab's snapshots on every shard; each is built again the next time its start is asked for. */
  async dropSnapshots(): Promise<string[]> {
    await this.background;
    return this.dropWhere(() => true);
  }

  /** Snapshots of another ring or schema can never be restored again: they only take disk. */
  private dropStale(current: SnapshotKey): Promise<string[]> {
    return this.dropWhere((key) => key === null || key.head !== current.head || key.shards.join() !== current.shards.join());
  }

  private async dropWhere(stale: (key: SnapshotKey | null) => boolean): Promise<string[]> {
    const dropped = new Set<string>();
    await Promise.all(
      this.host.cluster.shards.map(async (s) => {
        const kept: string[] = [];
        for (const snap of await listSnapshots(s.url, PREFIX)) {
          if (!stale(parseKey(snap.comment))) {
            kept.push(snap.name);
            continue;
          }
          await dropSnapshot(s.url, snap.name);
          dropped.add(snap.name);
        }
        await dropClones(s.url, kept);
        await dropRetired(s.url);
      }),
    );
    return [...dropped];
  }

  private async everyShardHas(name: string): Promise<boolean> {
    const found = await Promise.all(this.host.cluster.shards.map(async (s) => (await listSnapshots(s.url, name)).some((x) => x.name === name)));
    return found.every(Boolean);
  }
}

async function countRows(pool: pg.Pool): Promise<DataCounts> {
  const { rows } = await pool.query<{ users: string; conversations: string; messages: string }>(
    'SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM conversations) AS conversations, (SELECT count(*) FROM messages) AS messages',
  );
  const r = rows[0]!;
  return { users: Number(r.users), conversations: Number(r.conversations), messages: Number(r.messages) };
}

const SnapshotKeySchema = z.object({ spec: StartSpecSchema, shards: z.array(z.string()), head: z.string() });
export type SnapshotKey = z.output<typeof SnapshotKeySchema>;

const snapshotName = (key: SnapshotKey) => PREFIX + createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 16);

/** The key the lab wrote on a snapshot; null for one it cannot read (dropped as stale). */
function parseKey(comment: string | null): SnapshotKey | null {
  try {
    const parsed = SnapshotKeySchema.safeParse(JSON.parse(comment ?? 'null'));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
