import type pg from 'pg';
import { statement } from '../../postgres/statements.js';
import { toIso } from '../timestamps.js';
import type { Message } from './schemas.js';

/** The `pg` path for the hot message statements on a conversation's shard (named: planned once per connection). */
const COLUMNS = 'id, conversation_id, sender_id, body, created_at';

const toMessage = (r: Message): Message => ({ ...r, created_at: toIso(r.created_at) });

/** Throws PostgreSQL's foreign_key_violation when the conversation does not exist or the sender is not a member. */
export async function insertMessage(pool: pg.Pool, m: Message): Promise<Message> {
  const { rows } = await pool.query<Message>(
    statement('messages.insert', `INSERT INTO messages (conversation_id, id, sender_id, body, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`, [
      m.conversation_id,
      m.id,
      m.sender_id,
      m.body,
      m.created_at,
    ]),
  );
  return toMessage(rows[0]!);
}

/** Newest first, strictly older than `before` (UUIDv7 ids sort by time): an index range scan on the primary key. */
export async function listMessages(pool: pg.Pool, conversationId: string, before: string | null, limit: number): Promise<Message[]> {
  const { rows } = before
    ? await pool.query<Message>(
        statement('messages.page.before', `SELECT ${COLUMNS} FROM messages WHERE conversation_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3`, [
          conversationId,
          before,
          limit,
        ]),
      )
    : await pool.query<Message>(
        statement('messages.page.first', `SELECT ${COLUMNS} FROM messages WHERE conversation_id = $1 ORDER BY id DESC LIMIT $2`, [conversationId, limit]),
      );
  return rows.map(toMessage);
}
