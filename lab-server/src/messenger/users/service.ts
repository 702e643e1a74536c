import { v7 as uuidv7 } from 'uuid';
import type { Cluster } from '../../cluster/cluster.js';
import { ShardUnavailableError } from '../../cluster/errors.js';
import { ApiError, notFound } from '../../http/errors.js';
import { InvalidKeyError } from '../../sharding/key.js';
import type { WriteGate } from '../../resharding/write-gate.js';
import { ringHash } from '../../sharding/hash.js';
import type { Router } from '../../sharding/router.js';
import { compareNewestFirst, decodeCursor, encodeCursor } from '../cursor.js';
import { mergeSorted } from '../merge.js';
import * as repo from './repository.js';
import type { CreateUser, ListUsersQuery, UpdateUser, User } from './schemas.js';

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
    private readonly cluster: Cluster,
    private readonly router: () => Router,
    private readonly gate: WriteGate,
  ) {}

  async create(input: CreateUser): Promise<Located<User>> {
    const now = Date.now();
    const id = uuidv7({ msecs: now });
    return this.write(id, async (shard) => {
      const value = await this.cluster.onShard(shard, (pool) =>
        repo.insertUser(pool, { id, ...input, email: input.email ?? null, created_at: new Date(now).toISOString() }),
      );
      return { value, shard: this.cluster.shard(shard).name };
    });
  }

  async get(rawId: string): Promise<Located<User>> {
    const { id, shard } = this.locate(rawId);
    const user = await this.cluster.onShard(shard, (pool) => repo.findUser(pool, id));
    if (!user) throw this.missing(id, shard);
    return { value: user, shard: this.cluster.shard(shard).name };
  }

  async update(rawId: string, patch: UpdateUser): Promise<Located<User>> {
    const { id } = this.locate(rawId);
    return this.write(id, async (shard) => {
      const user = await this.cluster.onShard(shard, (pool) => repo.updateUser(pool, id, patch));
      if (!user) throw this.missing(id, shard);
      return { value: user, shard: this.cluster.shard(shard).name };
    });
  }

  async remove(rawId: string): Promise<void> {
    const { id } = this.locate(rawId);
    await this.write(id, async (shard) => {
      const deleted = await this.cluster.onShard(shard, (pool) => repo.deleteUser(pool, id));
      if (!deleted) throw this.missing(id, shard);
    });
  }

  /** Routes and runs a write inside the write gate, so a reshard's cutover can pause it and it then routes afresh. */
  private write<T>(id: string, fn: (shard: number) => Promise<T>): Promise<T> {
    const hash = ringHash(id);
    return this.gate.run(hash, () => fn(this.router().routeHash(hash).shard_id));
  }

  /**
   * Newest-first across shards: each shard returns its next `limit + 1` rows after the cursor, and a k-way
   * merge keeps the first `limit`. Seeing more than `limit` rows in total proves a next page exists.
   */
  async list(q: ListUsersQuery): Promise<UserPage> {
    const after = q.cursor ? decodeCursor(q.cursor) : null;
    // Only the ring's shards: a shard being filled by a reshard holds copies that are not yet (or no longer) its own.
    const ids = this.router().ids;
    const results = await Promise.allSettled(ids.map((id) => this.cluster.onShard(id, (pool) => repo.listUsers(pool, after, q.limit + 1))));
    const missing: string[] = [];
    const lists: User[][] = [];
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') lists.push(r.value);
      else if (r.reason instanceof ShardUnavailableError) missing.push(this.cluster.shard(ids[i]!).name);
      else throw r.reason;
    });
    if (missing.length > 0 && !q.partial) {
      throw new ApiError(
        503,
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
      this.router().ids.map((id) => this.cluster.shard(id)).map(async (s) => {
        try {
          const user_count = await this.cluster.onShard(s.id, (pool) => repo.countUsers(pool));
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

  private locate(rawId: string): { id: string; shard: number } {
    try {
      const route = this.router().route(rawId);
      return { id: route.normalized_key, shard: route.shard_id };
    } catch (err) {
      if (err instanceof InvalidKeyError) {
        throw new ApiError(400, 'invalid_id', `'${rawId}' is not a valid user id (expected a UUID).`, { field: 'id' });
      }
      throw err;
    }
  }

  private missing(id: string, shard: number): ApiError {
    return notFound(`User ${id} not found.`, { id, shard: this.cluster.shard(shard).name });
  }
}
