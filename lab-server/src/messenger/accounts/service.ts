import { v7 as uuidv7 } from 'uuid';
import type { Cluster } from '../../cluster/cluster.js';
import { isForeignKeyViolation, onShardPrisma, type PrismaClient } from '../../data/prisma.js';
import { ConflictError, UnknownReferenceError } from '../../domain/errors.js';
import { writeByKey, type WriteGate } from '../../sharding/write-gate.js';
import type { Router } from '../../sharding/router.js';
import type { UsersService } from '../users/service.js';
import { claim, confirm, release, releaseUser, takeOver, type ClaimKind } from './claims.js';
import { hashPassword } from './password.js';
import { FencedError, insertAccount, settleAbandoned } from './prisma-repository.js';
import type { Account, CreateAccount } from './schemas.js';

const KINDS: readonly ClaimKind[] = ['username', 'email'];

/**
 * Accounts live on their owner's shard; their username and e-mail are claimed first in lookup tables on the
 * values' own shards, so no two accounts anywhere share one. Claim → create → confirm (docs/uniqueness.md).
 */
export class AccountsService {
  constructor(
    private readonly cluster: Pick<Cluster, 'pools'>,
    private readonly router: () => Router,
    private readonly users: UsersService,
    private readonly gate: WriteGate,
  ) {}

  async create(input: CreateAccount): Promise<Account> {
    const userId = input.user_id;
    if ((await this.users.missingIds([userId])).length > 0) throw unknownUser(userId);
    const now = Date.now();
    const accountId = uuidv7({ msecs: now });
    const values = lookupValues(input);
    const claimed: ClaimKind[] = [];
    let account: Account;
    try {
      await this.claimValues(values, accountId, userId, claimed);
      account = await this.insert(input, accountId, now);
    } catch (err) {
      // Nothing was created: give the names back now rather than let them wait out the TTL.
      await Promise.allSettled(claimed.map((kind) => this.onValueShard(values[kind], (db) => release(db, kind, values[kind], accountId))));
      if (isForeignKeyViolation(err)) throw unknownUser(userId);
      if (err instanceof FencedError) throw taken(claimed[0] ?? 'username', input.username, 'Its claim expired before the account was created; try again.');
      throw err;
    }
    // The account exists. A claim left pending by a failure here is confirmed by the next claimant (settle).
    await this.confirmValues(values, accountId);
    return account;
  }

  /**
   * The protocol's steps one at a time, for the lab's claim → create → confirm walkthrough: step 1, claim every
   * value for the account (pending), pushing each kind to `claimed` as it succeeds; a 409 when one is held.
   */
  async claimValues(values: Record<ClaimKind, string>, accountId: string, userId: string, claimed: ClaimKind[] = []): Promise<void> {
    for (const kind of KINDS) {
      await this.acquire(kind, values[kind], accountId, userId);
      claimed.push(kind);
    }
  }

  /** Step 2: the account on its owner's shard, behind the fence (FencedError when its claim was taken over). */
  async insert(input: CreateAccount, accountId: string, now = Date.now()): Promise<Account> {
    const password = await hashPassword(input.password);
    return this.onUserShard(input.user_id, (db) =>
      insertAccount(db, {
        id: accountId,
        user_id: input.user_id,
        username: input.username,
        email: input.email,
        password,
        created_at: new Date(now).toISOString(),
      }),
    );
  }

  /** Step 3: the claims become final (best effort: a claim left pending is settled by the next claimant). */
  async confirmValues(values: Record<ClaimKind, string>, accountId: string): Promise<void> {
    await Promise.allSettled(KINDS.map((kind) => this.onValueShard(values[kind], (db) => confirm(db, kind, values[kind], accountId))));
  }

  /** Gives back a deleted user's names (the `user.deleted` event). */
  async releaseUser(kind: ClaimKind, value: string, userId: string): Promise<void> {
    await this.onValueShard(value, (db) => releaseUser(db, kind, value, userId));
  }

  /** Claims `value` for the account, settling an expired pending claim first; a 409 when someone else holds it. */
  private async acquire(kind: ClaimKind, value: string, accountId: string, userId: string): Promise<void> {
    const result = await this.onValueShard(value, (db) => claim(db, kind, value, accountId, userId));
    if (result.claimed) return;
    const { holder } = result;
    if (!holder.confirmed && holder.expired) {
      const fate = await this.onUserShard(holder.user_id, (db) => settleAbandoned(db, holder.account_id, holder.user_id));
      if (fate === 'created') await this.onValueShard(value, (db) => confirm(db, kind, value, holder.account_id));
      else if (await this.onValueShard(value, (db) => takeOver(db, kind, value, holder, accountId, userId))) return;
    }
    throw taken(kind, value);
  }

  /**
   * Lookup rows live on the shard of the value's own ring point (the lower-cased text, hashed like a key).
   * Like every write here, it passes the write gate, so a reshard's cutover pauses it instead of refusing it.
   */
  private onValueShard<T>(value: string, fn: (db: PrismaClient) => Promise<T>): Promise<T> {
    return writeByKey(this.gate, this.router, value, (shard) => onShardPrisma(this.cluster, shard, fn));
  }

  private onUserShard<T>(userId: string, fn: (db: PrismaClient) => Promise<T>): Promise<T> {
    return writeByKey(this.gate, this.router, userId, (shard) => onShardPrisma(this.cluster, shard, fn));
  }
}

/** The lookup tables' keys: the lower-cased values. */
export const lookupValues = (input: Pick<CreateAccount, 'username' | 'email'>): Record<ClaimKind, string> => ({
  username: input.username.toLowerCase(),
  email: input.email.toLowerCase(),
});

const unknownUser = (id: string) => new UnknownReferenceError('unknown_user', `No such user: ${id}. Nothing was created.`, { missing_ids: [id] });
const taken = (kind: ClaimKind, value: string, hint = '') =>
  new ConflictError('already_taken', `The ${kind} '${value}' is already taken.${hint ? ` ${hint}` : ''}`, { field: kind });
