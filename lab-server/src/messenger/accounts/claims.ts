import type { PrismaClient } from '../../data/prisma.js';

/**
 * The lookup tables that make a value (username, e-mail) unique across all shards: one row per value, on the
 * value's shard, whose primary key decides who owns it. Protocol and failure cases: docs/uniqueness.md.
 */
export type ClaimKind = 'username' | 'email';

const TABLE: Record<ClaimKind, string> = { username: 'username_lookup', email: 'email_lookup' };

/** A claim older than this that was never confirmed is presumed abandoned (its creator crashed) and may be resolved. */
export const CLAIM_TTL_MS = 30_000;

export interface Holder {
  account_id: string;
  user_id: string;
  confirmed: boolean;
  expired: boolean;
}

export type ClaimResult = { claimed: true } | { claimed: false; holder: Holder };

/** Inserts a pending claim; when the value is taken, says by whom and whether that claim has expired (by this shard's clock). */
export async function claim(db: PrismaClient, kind: ClaimKind, value: string, accountId: string, userId: string): Promise<ClaimResult> {
  const t = TABLE[kind];
  const inserted = await db.$executeRawUnsafe(
    `INSERT INTO ${t} (${kind}, account_id, user_id) VALUES ($1, $2::uuid, $3::uuid) ON CONFLICT (${kind}) DO NOTHING`,
    value,
    accountId,
    userId,
  );
  if (inserted === 1) return { claimed: true };
  const rows = await db.$queryRawUnsafe<Holder[]>(
    `SELECT account_id::text, user_id::text, confirmed, claimed_at < now() - make_interval(secs => $2) AS expired FROM ${t} WHERE ${kind} = $1`,
    value,
    CLAIM_TTL_MS / 1000,
  );
  // Released between our insert and our read: try once more rather than report a conflict that is gone.
  if (rows.length === 0) return claim(db, kind, value, accountId, userId);
  return { claimed: false, holder: rows[0]! };
}

/** Hands an abandoned claim to a new account, only if it is still the one we looked at (compare-and-set). */
export async function takeOver(db: PrismaClient, kind: ClaimKind, value: string, from: Holder, accountId: string, userId: string): Promise<boolean> {
  const n = await db.$executeRawUnsafe(
    `UPDATE ${TABLE[kind]} SET account_id = $3::uuid, user_id = $4::uuid, confirmed = false, claimed_at = now()
     WHERE ${kind} = $1 AND account_id = $2::uuid AND NOT confirmed`,
    value,
    from.account_id,
    accountId,
    userId,
  );
  return n === 1;
}

/** The account exists: the claim is final. */
export async function confirm(db: PrismaClient, kind: ClaimKind, value: string, accountId: string): Promise<void> {
  await db.$executeRawUnsafe(`UPDATE ${TABLE[kind]} SET confirmed = true WHERE ${kind} = $1 AND account_id = $2::uuid`, value, accountId);
}

/** Gives a value back: a failed creation (pending claim), or a deleted account (any claim of that account). */
export async function release(db: PrismaClient, kind: ClaimKind, value: string, accountId: string): Promise<void> {
  await db.$executeRawUnsafe(`DELETE FROM ${TABLE[kind]} WHERE ${kind} = $1 AND account_id = $2::uuid`, value, accountId);
}

/** Gives back every value a deleted user held (the `user.deleted` event). */
export async function releaseUser(db: PrismaClient, kind: ClaimKind, value: string, userId: string): Promise<void> {
  await db.$executeRawUnsafe(`DELETE FROM ${TABLE[kind]} WHERE ${kind} = $1 AND user_id = $2::uuid`, value, userId);
}
