import type { ApiRouter } from '../api-router.js';
import {
  ConversationSchema,
  CreateConversationSchema,
  InboxPageSchema,
  InboxQuerySchema,
  ListMessagesQuerySchema,
  MessagePageSchema,
  MessageSchema,
  PostMessageSchema,
} from '../../messenger/conversations/schemas.js';
import type { ConversationsService } from '../../messenger/conversations/service.js';

const noConversation = { description: 'no such conversation' };

export function conversationsRoutes(api: ApiRouter, conversations: ConversationsService): void {
  const tag = 'conversations';
  api.add(
    {
      method: 'post',
      path: '/conversations',
      tag,
      summary: 'Create a conversation on the shard of its id, with its members',
      description:
        'Every member is looked up on their own shard first; if any is missing nothing is written anywhere. Each member gets an inbox row on their shard.',
      body: CreateConversationSchema,
      bodyName: 'conversation',
      responses: {
        201: { description: 'created (members sorted by id)', schema: ConversationSchema },
        422: { description: 'unknown_members: details.missing_ids lists the user ids that do not exist; nothing was written' },
      },
    },
    async ({ res, body }) => {
      const c = await conversations.create(body);
      res.status(201).location(`/api/v1/conversations/${c.id}`).json(c);
    },
  );

  api.add(
    {
      method: 'get',
      path: '/conversations/:id',
      tag,
      summary: 'One conversation with its members',
      responses: { 200: { description: 'the conversation', schema: ConversationSchema }, 404: noConversation },
    },
    async ({ params, res }) => {
      res.json(await conversations.get(params.id!));
    },
  );

  api.add(
    {
      method: 'post',
      path: '/conversations/:id/messages',
      tag,
      summary: "Post a message (hot path: one INSERT on the conversation's shard)",
      body: PostMessageSchema,
      bodyName: 'message',
      responses: {
        201: { description: 'the message (UUIDv7 id)', schema: MessageSchema },
        403: { description: 'not_a_member: the sender is not a member of the conversation' },
        404: noConversation,
      },
    },
    async ({ params, res, body }) => {
      res.status(201).json(await conversations.post(params.id!, body));
    },
  );

  api.add(
    {
      method: 'get',
      path: '/conversations/:id/messages',
      tag,
      summary: 'Messages, newest first, paged by ?before= (keyset on the time-ordered id)',
      query: ListMessagesQuerySchema,
      responses: { 200: { description: 'one page', schema: MessagePageSchema }, 404: noConversation },
    },
    async ({ params, res, query }) => {
      res.json(await conversations.messages(params.id!, query));
    },
  );

  api.add(
    {
      method: 'get',
      path: '/users/:id/conversations',
      tag,
      summary: "A user's conversations, from their inbox on their own shard (one shard, no fan-out)",
      query: InboxQuerySchema,
      responses: { 200: { description: 'one page', schema: InboxPageSchema }, 404: { description: 'no such user' } },
    },
    async ({ params, res, query }) => {
      res.json(await conversations.inbox(params.id!, query));
    },
  );
}
