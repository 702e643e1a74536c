import type { PrismaClient, PrismaTx } from '../../data/prisma.js';
import type { Account } from './schemas.js';

/**
 * Accounts on their owner's shard. Creating an account and fencing an abandoned one take the same
 * transaction-scoped advisory lock (keyed by the account id), so of "create account A" and "declare A
 * abandoned" exactly one happens: the other sees its result and backs off (docs/uniqueness.md).
 */
export class FencedError extends Error {
  constructor(accountId: string) {
    super(`account ${accountId} was declared abandoned before it could be created`);
  }
}

const lockAccount = (tx: PrismaTx, accountId: string) => tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`account:${accountId}`}, 0))`;

/** Throws FencedError when the account was declared abandoned, Prisma's P2003 when the user does not exist. */
export async function insertAccount(db: PrismaClient, a: Account & { password: string }): Promise<Account> {
  return db.$transaction(async (tx) => {
    await lockAccount(tx, a.id);
    if ((await tx.abandoned_accounts.count({ where: { account_id: a.id } })) > 0) throw new FencedError(a.id);
    const at = new Date(a.created_at);
    const row = await tx.accounts.create({
      data: { id: a.id, user_id: a.user_id, username: a.username, email: a.email, password: a.password, created_at: at, updated_at: at },
      select: { id: true, user_id: true, username: true, email: true, created_at: true },
    });
    await tx.users_accounts.create({ data: { user_id: a.user_id, account_id: a.id, created_at: at } });
    return { ...row, created_at: row.created_at.toISOString() };
  });
}

/**
 * Decides the fate of an account whose claim expired unconfirmed: 'created' when it exists (its creator
 * died before confirming), otherwise 'abandoned' — and a fence makes sure it can never be created later.
 */
export async function settleAbandoned(db: PrismaClient, accountId: string, userId: string): Promise<'created' | 'abandoned'> {
  return db.$transaction(async (tx) => {
    await lockAccount(tx, accountId);
    if ((await tx.accounts.count({ where: { id: accountId } })) > 0) return 'created';
    // A deleted owner cannot get the account either (foreign key), so no fence is needed then.
    if ((await tx.users.count({ where: { id: userId } })) > 0) {
      await tx.abandoned_accounts.createMany({ data: [{ account_id: accountId, user_id: userId }], skipDuplicates: true });
    }
    return 'abandoned';
  });
}
