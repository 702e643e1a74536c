import type { PrismaClient } from '../../data/prisma.js';
import { enqueue } from '../outbox/outbox.js';
import type { Conversation, InboxEntry, Message } from './schemas.js';

/** The Prisma path for conversations, members, messages (on a conversation's shard) and inboxes (on a user's shard). */

export const CONVERSATION_CREATED = 'conversation.created';

/** Everything the members' shards need to list the conversation in their inboxes. */
export interface ConversationCreated {
  conversation_id: string;
  title: string;
  member_ids: string[];
  joined_at: string;
}

/**
 * How long a `conversation.created` event waits before the background processor may take it: the request
 * that wrote it applies it at once and deletes it, so the processor only sees it when that request died.
 */
export const INLINE_GRACE_MS = 10_000;

/** The conversation, its members and its `conversation.created` event, in one transaction on its shard. */
export async function insertConversation(db: PrismaClient, c: Conversation): Promise<bigint> {
  const at = new Date(c.created_at);
  return db.$transaction(async (tx) => {
    await tx.conversations.create({ data: { id: c.id, title: c.title, created_at: at } });
    await tx.conversation_members.createMany({ data: c.members.map((user_id) => ({ conversation_id: c.id, user_id, joined_at: at })) });
    const event: ConversationCreated = { conversation_id: c.id, title: c.title, member_ids: c.members, joined_at: c.created_at };
    return enqueue(tx, CONVERSATION_CREATED, event, INLINE_GRACE_MS);
  });
}

export async function findConversation(db: PrismaClient, id: string): Promise<Conversation | null> {
  const row = await db.conversations.findUnique({
    where: { id },
    select: { id: true, title: true, created_at: true, members: { select: { user_id: true }, orderBy: { user_id: 'asc' } } },
  });
  return row ? { id: row.id, title: row.title, created_at: row.created_at.toISOString(), members: row.members.map((m) => m.user_id) } : null;
}

export async function conversationExists(db: PrismaClient, id: string): Promise<boolean> {
  return (await db.conversations.count({ where: { id } })) > 0;
}

/**
 * Inbox rows on one user shard for the members that still exist, each user row locked (FOR KEY SHARE) so a
 * concurrent delete waits for this transaction and then sees the row. Returns the members that are gone.
 */
export async function addToInboxes(db: PrismaClient, e: ConversationCreated, userIds: string[]): Promise<string[]> {
  return db.$transaction(async (tx) => {
    const present = await tx.$queryRaw<{ id: string }[]>`SELECT id::text FROM users WHERE id = ANY(${userIds}::uuid[]) FOR KEY SHARE`;
    const joined_at = new Date(e.joined_at);
    await tx.user_conversations.createMany({
      data: present.map((u) => ({ user_id: u.id, conversation_id: e.conversation_id, title: e.title, joined_at })),
      skipDuplicates: true,
    });
    const found = new Set(present.map((u) => u.id));
    return userIds.filter((id) => !found.has(id));
  });
}

/**
 * Takes users out of a conversation (their messages stay, sender set to NULL by the foreign key) and drops the
 * conversation when nobody is left. Returns the remaining members.
 */
export async function removeMembers(db: PrismaClient, conversationId: string, userIds: string[]): Promise<string[]> {
  return db.$transaction(async (tx) => {
    await tx.conversation_members.deleteMany({ where: { conversation_id: conversationId, user_id: { in: userIds } } });
    const left = await tx.conversation_members.findMany({ where: { conversation_id: conversationId }, select: { user_id: true }, orderBy: { user_id: 'asc' } });
    if (left.length === 0) await tx.conversations.deleteMany({ where: { id: conversationId } });
    return left.map((m) => m.user_id);
  });
}

/** One page of a user's inbox, most recently joined first, strictly after the keyset `after`. */
export async function listInbox(db: PrismaClient, userId: string, after: { joined_at: string; id: string } | null, limit: number): Promise<InboxEntry[]> {
  const at = after ? new Date(after.joined_at) : null;
  const rows = await db.user_conversations.findMany({
    where: {
      user_id: userId,
      ...(after && at ? { OR: [{ joined_at: { lt: at } }, { joined_at: at, conversation_id: { lt: after.id } }] } : {}),
    },
    orderBy: [{ joined_at: 'desc' }, { conversation_id: 'desc' }],
    take: limit,
    select: { conversation_id: true, title: true, joined_at: true },
  });
  return rows.map((r) => ({ id: r.conversation_id, title: r.title, joined_at: r.joined_at.toISOString() }));
}

export async function userExists(db: PrismaClient, id: string): Promise<boolean> {
  return (await db.users.count({ where: { id } })) > 0;
}

const toMessage = (r: { id: string; conversation_id: string; sender_id: string | null; body: string; created_at: Date }): Message => ({
  ...r,
  created_at: r.created_at.toISOString(),
});
const MESSAGE = { id: true, conversation_id: true, sender_id: true, body: true, created_at: true } as const;

/** Throws Prisma's P2003 (foreign key) when the conversation does not exist or the sender is not a member. */
export async function insertMessage(db: PrismaClient, m: Message): Promise<Message> {
  return toMessage(await db.messages.create({ data: { ...m, created_at: new Date(m.created_at) }, select: MESSAGE }));
}

export async function listMessages(db: PrismaClient, conversationId: string, before: string | null, limit: number): Promise<Message[]> {
  const rows = await db.messages.findMany({
    where: { conversation_id: conversationId, ...(before ? { id: { lt: before } } : {}) },
    orderBy: { id: 'desc' },
    take: limit,
    select: MESSAGE,
  });
  return rows.map(toMessage);
}
