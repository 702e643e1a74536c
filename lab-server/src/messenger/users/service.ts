import { v7 as uuidv7 } from 'uuid';
import type pg from 'pg';
import type { Cluster } from '../../cluster/cluster.js';
import type { ReadRouter } from '../../cluster/reads.js';
import { writeByKey, type WriteGate } from '../../sharding/write-gate.js';
import { ShardUnavailableError } from '../../cluster/errors.js';
import { NotFoundError, UnavailableError } from '../../domain/errors.js';
import type { Router } from '../../sharding/router.js';
import { compareNewestFirst, decodeCursor, encodeCursor } from '../cursor.js';
import { locate, type LocatedId } from '../locate.js';
import { mergeSorted } from '../merge.js';
import { onShardPrisma, prismaFor } from '../../data/prisma.js';
import type { DataLayer } from '../../data/layer.js';
import * as prismaRepo from './prisma-repository.js';
import { shardHealth, type ShardHealthReport } from './shard-health.js';
import * as pgRepo from './pg-repository.js';
import type { CreateUser, ListUsersQuery, UpdateUser, User } from './schemas.js';
import { inSpanSync } from '../../tracing/tracing.js';
import { userCache } from '../../caching/user-cache.js';

export interface UserPage {
  data: User[];
  next_cursor: string | null;
  missing_shards?: string[];
}

export interface ShardStats {
  total_users: number;
  shard_count: number;
  shards: { shard_id: number; shard_name: string; user_count: number | null; healthy: boolean }[];
}

export interface Located<T> {
  value: T;
  shard: string;
}

/** The users API's rules: ids route through the ring to one shard; listings and stats gather from all of them. */
export class UsersService {
  constructor(
    private readonly cluster: Pick<Cluster, 'shard' | 'pools'>,
    private readonly router: () => Router,
    /** Which data layer serves the hot statements (create, get); read on every request, so it switches at run time. */
    private readonly layer: () => DataLayer,
    /** Called after a delete wrote its outbox event, so the event is applied now rather than at the next poll. */
    private readonly onEvent: () => void,
    private readonly gate: WriteGate,
    private readonly reads: ReadRouter,
  ) {}

  async create(input: CreateUser): Promise<Located<User>> {
    const now = Date.now();
    const id = inSpanSync(
      'mint id (UUIDv7)',
      () => uuidv7({ msecs: now }),
      (v, span) => span.setAttributes({ 'lab.id': v, 'lab.id.unix_ms': now }),
    );
    const row = { id, ...input, email: input.email ?? null, created_at: new Date(now).toISOString() };
    return this.write(id, async (shard) => {
      const value =
        this.layer() === 'pg'
          ? await this.cluster.pools.onShard(shard, (pool) => pgRepo.insertUser(pool, row))
          : await onShardPrisma(this.cluster, shard, (db) => prismaRepo.insertUser(db, row));
      return { value, shard: this.cluster.shard(shard).name };
    });
  }

  async get(rawId: string): Promise<Located<User>> {
    const { id, shard } = this.locate(rawId);
    // Cache-aside (the Database scaling chapter; off unless turned on): only users are ever stored under their ids.
    const cached = userCache.get(id) as User | undefined;
    if (cached) return { value: cached, shard: this.cluster.shard(shard).name };
    const find = (pool: pg.Pool) => (this.layer() === 'pg' ? pgRepo.findUser(pool, id) : prismaRepo.findUser(prismaFor(pool), id));
    const user = await this.reads.read(shard, id, find, (a, b) => a?.updated_at === b?.updated_at);
    if (!user) throw this.missing(id, shard);
    userCache.set(id, user);
    return { value: user, shard: this.cluster.shard(shard).name };
  }

  /** The ids that are not users, checked on each id's shard (one query per shard). */
  async missingIds(ids: readonly string[]): Promise<string[]> {
    const byShard = new Map<number, string[]>();
    for (const id of ids) {
      const shard = this.router().shardFor(id);
      byShard.set(shard, [...(byShard.get(shard) ?? []), id]);
    }
    const found = await Promise.all(
      [...byShard].map(([shard, group]) =>
        onShardPrisma(this.cluster, shard, (db) => db.users.findMany({ where: { id: { in: group } }, select: { id: true } })),
      ),
    );
    const present = new Set(found.flat().map((u) => u.id));
    return ids.filter((id) => !present.has(id));
  }

  async update(rawId: string, patch: UpdateUser): Promise<Located<User>> {
    const { id } = this.locate(rawId);
    return this.write(id, async (shard) => {
      const user = await onShardPrisma(this.cluster, shard, (db) => prismaRepo.updateUser(db, id, patch));
      if (!user) throw this.missing(id, shard);
      return { value: user, shard: this.cluster.shard(shard).name };
    });
  }

  /**
   * Deletes the user and their co-located rows at once; their memberships, messages' sender and name claims
   * on other shards are cleaned up by the `user.deleted` outbox event (see UserCleanup).
   */
  async remove(rawId: string): Promise<void> {
    const { id } = this.locate(rawId);
    await this.write(id, async (shard) => {
      const deleted = await onShardPrisma(this.cluster, shard, (db) => prismaRepo.deleteUser(db, id));
      if (!deleted) throw this.missing(id, shard);
    });
    this.onEvent();
  }

  /**
   * Routes and runs a write by user id inside the write gate (a reshard's cutover can pause it, and it then
   * routes afresh), and tells the read router, which watches recently written keys.
   */
  private write<T>(id: string, fn: (shard: number) => Promise<T>): Promise<T> {
    return writeByKey(this.gate, this.router, id, async (shard) => {
      const result = await fn(shard);
      await this.reads.wrote(shard, id);
      userCache.wrote(id);
      return result;
    });
  }

  /**
   * Newest-first across shards: each shard returns its next `limit + 1` rows after the cursor, and a k-way
   * merge keeps the first `limit`. Seeing more than `limit` rows in total proves a next page exists.
   */
  async list(q: ListUsersQuery): Promise<UserPage> {
    const after = q.cursor ? decodeCursor(q.cursor) : null;
    // Only the ring's shards: a shard being filled by a reshard holds copies that are not yet (or no longer) its own.
    const ids = this.router().ids;
    const results = await Promise.allSettled(ids.map((id) => this.cluster.pools.onShard(id, (pool) => pgRepo.listUsers(pool, after, q.limit + 1))));
    const missing: string[] = [];
    const lists: User[][] = [];
    results.forEach((r) => {
      if (r.status === 'fulfilled') lists.push(r.value);
      else if (r.reason instanceof ShardUnavailableError) missing.push(r.reason.shardName);
      else throw r.reason;
    });
    if (missing.length > 0 && !q.partial) {
      throw new UnavailableError(
        'shard_unavailable',
        `Cannot list users: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} unavailable. Retry later, or pass partial=true to get the rows of the other shards.`,
        { shards: missing },
      );
    }
    const merged = mergeSorted(lists, compareNewestFirst, q.limit + 1);
    const data = merged.slice(0, q.limit);
    const last = data[data.length - 1];
    const page: UserPage = {
      data,
      next_cursor: merged.length > q.limit && last ? encodeCursor({ created_at: last.created_at, id: last.id }) : null,
    };
    if (q.partial) page.missing_shards = missing;
    return page;
  }

  /** Counts on every shard of the ring, in shard order; `healthy` is whether that shard answered just now. */
  async stats(): Promise<ShardStats> {
    const shards = await Promise.all(
      this.router()
        .ids.map((id) => this.cluster.shard(id))
        .map(async (s) => {
          try {
            const user_count = await this.cluster.pools.onShard(s.id, (pool) => pgRepo.countUsers(pool));
            return { shard_id: s.id, shard_name: s.name, user_count, healthy: true };
          } catch (err) {
            if (!(err instanceof ShardUnavailableError)) throw err;
            return { shard_id: s.id, shard_name: s.name, user_count: null, healthy: false };
          }
        }),
    );
    return {
      total_users: shards.reduce((sum, s) => sum + (s.user_count ?? 0), 0),
      shard_count: shards.length,
      shards,
    };
  }

  /** Every shard of the ring checked now, replicas and their counts included (`GET /api/v1/shards/health`). */
  health(): Promise<ShardHealthReport> {
    return shardHealth(this.cluster, this.router());
  }

  /** The normalised id and its shard; invalid input naming the id when it is not a UUID. */
  private locate(rawId: string): LocatedId {
    return locate(this.router(), rawId, 'user');
  }

  private missing(id: string, shard: number): NotFoundError {
    return new NotFoundError(`User ${id} not found.`, { id, shard: this.cluster.shard(shard).name });
  }
}
