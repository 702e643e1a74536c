import { v7 as uuidv7 } from 'uuid';
import type { Cluster } from '../../cluster/cluster.js';
import type { DataLayer } from '../../data/layer.js';
import { isForeignKeyViolation, onShardPrisma, type Prisma } from '../../data/prisma.js';
import { NotFoundError, NotPermittedError, UnknownReferenceError } from '../../domain/errors.js';
import { writeByKey, writeByKeys, type WriteGate } from '../../sharding/write-gate.js';
import type { Router } from '../../sharding/router.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { locate } from '../locate.js';
import { complete } from '../outbox/outbox.js';
import type { UsersService } from '../users/service.js';
import * as pgRepo from './pg-repository.js';
import * as prismaRepo from './prisma-repository.js';
import type { ConversationCreated } from './prisma-repository.js';
import type { Conversation, CreateConversation, InboxPage, ListMessagesQuery, InboxQuery, Message, MessagePage, PostMessage } from './schemas.js';

/**
 * Conversations live on the shard of their id, with their members and messages; each member's inbox row
 * lives on that member's shard. Creating one writes the conversation and a `conversation.created` event in
 * one transaction, then applies the event (the inbox rows) at once; if the request dies in between, the
 * outbox processor applies it later. Either way every inbox row eventually exists.
 */
export class ConversationsService {
  constructor(
    private readonly cluster: Pick<Cluster, 'shard' | 'pools'>,
    private readonly router: () => Router,
    private readonly users: UsersService,
    private readonly layer: () => DataLayer,
    private readonly gate: WriteGate,
  ) {}

  async create(input: CreateConversation): Promise<Conversation> {
    const memberIds = [...new Set(input.member_ids)];
    const missing = await this.users.missingIds(memberIds);
    if (missing.length > 0) {
      throw new UnknownReferenceError('unknown_members', `No such user(s): ${missing.join(', ')}. Nothing was created.`, { missing_ids: missing });
    }
    const now = Date.now();
    const conversation: Conversation = { id: uuidv7({ msecs: now }), title: input.title, members: memberIds, created_at: new Date(now).toISOString() };
    const { shard, eventId } = await writeByKey(this.gate, this.router, conversation.id, async (shard) => ({
      shard,
      eventId: await onShardPrisma(this.cluster, shard, (db) => prismaRepo.insertConversation(db, conversation)),
    }));
    const members = await this.applyCreated({
      conversation_id: conversation.id,
      title: conversation.title,
      member_ids: memberIds,
      joined_at: conversation.created_at,
    });
    await onShardPrisma(this.cluster, shard, (db) => complete(db, eventId));
    return { ...conversation, members };
  }

  /**
   * Applies `conversation.created`: inbox rows on every member's shard. A member deleted since the existence
   * check (a race no foreign key can stop across shards) is taken out of the conversation again. Idempotent.
   */
  async applyCreated(e: ConversationCreated): Promise<string[]> {
    const gone = await writeByKeys(this.gate, this.router, e.member_ids, async (byShard) =>
      (await Promise.all([...byShard].map(([shard, ids]) => onShardPrisma(this.cluster, shard, (db) => prismaRepo.addToInboxes(db, e, ids))))).flat(),
    );
    if (gone.length === 0) return [...e.member_ids].sort();
    return this.removeMembers(e.conversation_id, gone);
  }

  /** Takes users out of a conversation on its shard; returns who is left (none: the conversation is gone). */
  removeMembers(conversationId: string, userIds: string[]): Promise<string[]> {
    return writeByKey(this.gate, this.router, conversationId, (shard) =>
      onShardPrisma(this.cluster, shard, (db) => prismaRepo.removeMembers(db, conversationId, userIds)),
    );
  }

  async get(rawId: string): Promise<Conversation> {
    const { id, shard } = locate(this.router(), rawId, 'conversation');
    const conversation = await onShardPrisma(this.cluster, shard, (db) => prismaRepo.findConversation(db, id));
    if (!conversation) throw this.missing(id, shard);
    return conversation;
  }

  async inbox(rawUserId: string, q: InboxQuery): Promise<InboxPage> {
    const { id, shard } = locate(this.router(), rawUserId, 'user');
    const after = q.cursor ? decodeCursor(q.cursor) : null;
    const { rows, exists } = await onShardPrisma(this.cluster, shard, async (db) => {
      const rows = await prismaRepo.listInbox(db, id, after && { joined_at: after.created_at, id: after.id }, q.limit + 1);
      return { rows, exists: rows.length > 0 || (await prismaRepo.userExists(db, id)) };
    });
    if (!exists) throw new NotFoundError(`User ${id} not found.`, { id, shard: this.cluster.shard(shard).name });
    const data = rows.slice(0, q.limit);
    const last = data[data.length - 1];
    return { data, next_cursor: rows.length > q.limit && last ? encodeCursor({ created_at: last.joined_at, id: last.id }) : null };
  }

  async post(rawConversationId: string, input: PostMessage): Promise<Message> {
    const { id: conversation_id } = locate(this.router(), rawConversationId, 'conversation');
    return writeByKey(this.gate, this.router, conversation_id, (shard) => this.insertMessage(conversation_id, shard, input));
  }

  private async insertMessage(conversation_id: string, shard: number, input: PostMessage): Promise<Message> {
    const now = Date.now();
    const message: Message = {
      id: uuidv7({ msecs: now }),
      conversation_id,
      sender_id: input.sender_id,
      body: input.body,
      created_at: new Date(now).toISOString(),
    };
    try {
      return this.layer() === 'pg'
        ? await this.cluster.pools.onShard(shard, (pool) => pgRepo.insertMessage(pool, message))
        : await onShardPrisma(this.cluster, shard, (db) => prismaRepo.insertMessage(db, message));
    } catch (err) {
      if (!isForeignKeyViolation(err)) throw err;
      // The composite foreign key said no; one more query tells "no such conversation" from "not a member".
      if (!(await onShardPrisma(this.cluster, shard, (db) => prismaRepo.conversationExists(db, conversation_id)))) throw this.missing(conversation_id, shard);
      throw new NotPermittedError('not_a_member', `User ${input.sender_id} is not a member of conversation ${conversation_id}.`, {
        sender_id: input.sender_id,
        conversation_id,
      });
    }
  }

  async messages(rawConversationId: string, q: ListMessagesQuery): Promise<MessagePage> {
    const { id, shard } = locate(this.router(), rawConversationId, 'conversation');
    const before = q.before ?? null;
    const rows =
      this.layer() === 'pg'
        ? await this.cluster.pools.onShard(shard, (pool) => pgRepo.listMessages(pool, id, before, q.limit + 1))
        : await onShardPrisma(this.cluster, shard, (db) => prismaRepo.listMessages(db, id, before, q.limit + 1));
    // An empty page is either a quiet conversation or none at all; only then is the extra query worth it.
    if (rows.length === 0 && !(await onShardPrisma(this.cluster, shard, (db) => prismaRepo.conversationExists(db, id)))) throw this.missing(id, shard);
    const data = rows.slice(0, q.limit);
    return { data, next_before: rows.length > q.limit ? data[data.length - 1]!.id : null };
  }

  /** The `conversation.created` handler for the outbox processor (the request that wrote the event died). */
  handleCreated = async (payload: Prisma.JsonValue): Promise<void> => {
    await this.applyCreated(payload as unknown as ConversationCreated);
  };

  private missing(id: string, shard: number): NotFoundError {
    return new NotFoundError(`Conversation ${id} not found.`, { id, shard: this.cluster.shard(shard).name });
  }
}
