import type pg from 'pg';
import { statement } from '../../postgres/statements.js';
import type { Keyset } from '../cursor.js';
import { toIso } from '../timestamps.js';
import type { User } from './schemas.js';

/**
 * The `pg` path for the users table on one shard: the hot statements (insert, find by id) that the Prisma
 * path also has, and the cross-shard listing and counts, which stay on `pg` because the keyset cursor needs
 * PostgreSQL's microsecond timestamps (Prisma reads timestamptz into a JS Date: milliseconds).
 * Statements are named so each connection plans them once.
 */
const COLUMNS = 'id, first_name, last_name, email, created_at, updated_at';

/** Rows have the API's shape; only the timestamps change form (PostgreSQL text → RFC 3339). */
const toUser = (r: User): User => ({ ...r, created_at: toIso(r.created_at), updated_at: toIso(r.updated_at) });

export async function insertUser(pool: pg.Pool, u: Omit<User, 'updated_at'>): Promise<User> {
  const { rows } = await pool.query<User>(
    statement(
      'users.insert',
      `INSERT INTO users (id, first_name, last_name, email, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $5) RETURNING ${COLUMNS}`,
      [u.id, u.first_name, u.last_name, u.email, u.created_at],
    ),
  );
  return toUser(rows[0]!);
}

export async function findUser(pool: pg.Pool, id: string): Promise<User | null> {
  const { rows } = await pool.query<User>(statement('users.find', `SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]));
  return rows[0] ? toUser(rows[0]) : null;
}

/** One page of this shard's users, newest first, strictly after `after`: an index range scan, never an OFFSET. */
export async function listUsers(pool: pg.Pool, after: Keyset | null, limit: number): Promise<User[]> {
  const { rows } = after
    ? await pool.query<User>(
        statement(
          'users.page.after',
          `SELECT ${COLUMNS} FROM users WHERE (created_at, id) < ($1::timestamptz, $2::uuid)
               ORDER BY created_at DESC, id DESC LIMIT $3`,
          [after.created_at, after.id, limit],
        ),
      )
    : await pool.query<User>(statement('users.page.first', `SELECT ${COLUMNS} FROM users ORDER BY created_at DESC, id DESC LIMIT $1`, [limit]));
  return rows.map(toUser);
}

export async function countUsers(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(statement('users.count', 'SELECT count(*) AS n FROM users'));
  return rows[0]!.n;
}
