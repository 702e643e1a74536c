import type { PrismaClient } from '../../data/prisma.js';
import { enqueue } from '../outbox/outbox.js';
import type { UpdateUser, User } from './schemas.js';

/** The Prisma path for the users table on one shard. */
const SELECT = { id: true, first_name: true, last_name: true, email: true, created_at: true, updated_at: true } as const;

interface UserRow {
  id: string;
  first_name: string;
  last_name: string;
  email: string | null;
  created_at: Date;
  updated_at: Date;
}

const toUser = (r: UserRow): User => ({ ...r, created_at: r.created_at.toISOString(), updated_at: r.updated_at.toISOString() });

export async function insertUser(db: PrismaClient, u: Omit<User, 'updated_at'>): Promise<User> {
  const at = new Date(u.created_at);
  return toUser(await db.users.create({ data: { ...u, created_at: at, updated_at: at }, select: SELECT }));
}

export async function findUser(db: PrismaClient, id: string): Promise<User | null> {
  const row = await db.users.findUnique({ where: { id }, select: SELECT });
  return row ? toUser(row) : null;
}

/** Omitted fields keep their value; `email: null` clears it. updated_at is the server's clock, to the millisecond. */
export async function updateUser(db: PrismaClient, id: string, patch: UpdateUser): Promise<User | null> {
  const { count } = await db.users.updateMany({ where: { id }, data: { ...patch, updated_at: new Date() } });
  return count === 0 ? null : findUser(db, id);
}

export const USER_DELETED = 'user.deleted';

/** What the rest of the cluster must forget about a deleted user; captured before the user's rows go. */
export interface UserDeleted {
  user_id: string;
  /** Conversations the user was in (from their inbox): their memberships live on those conversations' shards. */
  conversation_ids: string[];
  /** Lower-cased usernames and e-mails of their accounts: the claims live on the values' shards. */
  usernames: string[];
  emails: string[];
}

/**
 * Deletes a user and everything co-located with them (accounts, inbox rows: ON DELETE CASCADE) and, in the
 * same transaction, records a `user.deleted` event for the references on other shards. The user row is
 * locked first, so a concurrent write that adds a reference here (an inbox row, an account) either commits
 * before the references are read, or waits and then finds the user gone.
 */
export async function deleteUser(db: PrismaClient, id: string): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id::text FROM users WHERE id = ${id}::uuid FOR UPDATE`;
    if (locked.length === 0) return false;
    const inbox = await tx.user_conversations.findMany({ where: { user_id: id }, select: { conversation_id: true } });
    const accounts = await tx.accounts.findMany({ where: { user_id: id }, select: { username: true, email: true } });
    await tx.users.delete({ where: { id } });
    const event: UserDeleted = {
      user_id: id,
      conversation_ids: inbox.map((r) => r.conversation_id),
      usernames: accounts.map((a) => a.username.toLowerCase()),
      emails: accounts.map((a) => a.email.toLowerCase()),
    };
    await enqueue(tx, USER_DELETED, event);
    return true;
  });
}
