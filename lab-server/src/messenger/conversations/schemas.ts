import { z } from 'zod';
import { limitQuery, requiredString, strictBody, timestamp, uuid, uuidField } from '../schema-parts.js';

export const MAX_TITLE = 200;
export const MAX_MEMBERS = 100;
export const MAX_BODY = 4000;

export const CreateConversationSchema = strictBody({
  title: requiredString('title').trim().min(1, 'title must not be empty').max(MAX_TITLE, `title must be at most ${MAX_TITLE} characters`),
  member_ids: z
    .array(uuidField('member_ids[]'), { error: (iss) => (iss.input === undefined ? 'member_ids is required' : 'member_ids must be an array of user ids') })
    .min(1, 'member_ids must name at least one user')
    .max(MAX_MEMBERS, `member_ids may name at most ${MAX_MEMBERS} users`)
    .describe('user ids; duplicates count once; every one must exist (checked on its own shard)'),
});
export type CreateConversation = z.infer<typeof CreateConversationSchema>;

export const PostMessageSchema = strictBody({
  sender_id: uuidField('sender_id').describe('a member of the conversation'),
  // Length in characters (code points) — what PostgreSQL's char_length() checks too.
  body: requiredString('body').refine((b) => [...b].length >= 1 && [...b].length <= MAX_BODY, `body must be 1 to ${MAX_BODY} characters`),
});
export type PostMessage = z.infer<typeof PostMessageSchema>;

export const ListMessagesQuerySchema = z.object({
  limit: limitQuery,
  before: uuidField('before').optional().describe('a message id (next_before of the previous page): only older messages are returned'),
});
export type ListMessagesQuery = z.infer<typeof ListMessagesQuerySchema>;

export const InboxQuerySchema = z.object({
  limit: limitQuery,
  cursor: z.string().min(1, 'cursor must not be empty').optional(),
});
export type InboxQuery = z.infer<typeof InboxQuerySchema>;

export const ConversationSchema = z
  .object({ id: uuid, title: z.string(), members: z.array(uuid).describe('user ids of the members'), created_at: timestamp })
  .meta({ id: 'Conversation' });
export type Conversation = z.infer<typeof ConversationSchema>;

export const MessageSchema = z
  .object({
    id: uuid.describe('UUIDv7: time-ordered'),
    conversation_id: uuid,
    sender_id: uuid.nullable().describe('null once the sender has been deleted'),
    body: z.string(),
    created_at: timestamp,
  })
  .meta({ id: 'Message' });
export type Message = z.infer<typeof MessageSchema>;

export const MessagePageSchema = z
  .object({
    data: z.array(MessageSchema).describe('newest first'),
    next_before: uuid.nullable().describe('pass back as ?before= for older messages; null on the last page'),
  })
  .meta({ id: 'MessagePage' });
export type MessagePage = z.infer<typeof MessagePageSchema>;

export const InboxEntrySchema = z.object({ id: uuid.describe('the conversation id'), title: z.string(), joined_at: timestamp }).meta({ id: 'InboxEntry' });
export type InboxEntry = z.infer<typeof InboxEntrySchema>;

export const InboxPageSchema = z
  .object({ data: z.array(InboxEntrySchema).describe('most recently joined first'), next_cursor: z.string().nullable() })
  .meta({ id: 'InboxPage' });
export type InboxPage = z.infer<typeof InboxPageSchema>;
