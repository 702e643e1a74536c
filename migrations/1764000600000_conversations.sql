-- Up Migration
-- Conversations are sharded by their id (Discord shards by channel). Members and messages carry the same
-- key, so they live on the conversation's shard and real foreign keys hold them together. user_id and
-- sender_id point at users on other shards: no foreign key can reach there, so the API checks them and
-- the outbox cleans them up when a user is deleted (docs/messenger.md).
CREATE TABLE conversations (
  id         uuid         PRIMARY KEY,
  ring_hash  bigint       NOT NULL GENERATED ALWAYS AS (('x' || substr(md5(id::text), 1, 8))::bit(32)::bigint) STORED,
  title      varchar(200) NOT NULL,
  created_at timestamptz  NOT NULL
);
CREATE INDEX idx_conversations_ring_hash ON conversations (ring_hash);

CREATE TABLE conversation_members (
  conversation_id uuid        NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  user_id         uuid        NOT NULL,
  ring_hash       bigint      NOT NULL GENERATED ALWAYS AS (('x' || substr(md5(conversation_id::text), 1, 8))::bit(32)::bigint) STORED,
  joined_at       timestamptz NOT NULL,
  PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX idx_conversation_members_ring_hash ON conversation_members (ring_hash);

-- A message's sender must be a member of its conversation: a composite foreign key on the same shard.
-- When a membership goes (its user was deleted), the member's messages stay and lose their sender.
CREATE TABLE messages (
  conversation_id uuid        NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  id              uuid        NOT NULL,
  ring_hash       bigint      NOT NULL GENERATED ALWAYS AS (('x' || substr(md5(conversation_id::text), 1, 8))::bit(32)::bigint) STORED,
  sender_id       uuid,
  body            text        NOT NULL CHECK (char_length(body) BETWEEN 1 AND 4000),
  created_at      timestamptz NOT NULL,
  PRIMARY KEY (conversation_id, id),
  CONSTRAINT messages_sender_fkey FOREIGN KEY (conversation_id, sender_id)
    REFERENCES conversation_members (conversation_id, user_id) ON DELETE SET NULL (sender_id)
);
CREATE INDEX idx_messages_ring_hash ON messages (ring_hash);
-- Serves the foreign key's ON DELETE action: without it, removing one member scans every message.
CREATE INDEX idx_messages_sender ON messages (conversation_id, sender_id);

-- A user's inbox: one row per conversation they are in, on the USER's shard, so "my conversations" reads
-- one shard. The title is copied from the conversation (denormalised) so the inbox never has to visit
-- the conversations' shards.
CREATE TABLE user_conversations (
  user_id         uuid         NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  conversation_id uuid         NOT NULL,
  ring_hash       bigint       NOT NULL GENERATED ALWAYS AS (('x' || substr(md5(user_id::text), 1, 8))::bit(32)::bigint) STORED,
  title           varchar(200) NOT NULL,
  joined_at       timestamptz  NOT NULL,
  PRIMARY KEY (user_id, conversation_id)
);
CREATE INDEX idx_user_conversations_ring_hash ON user_conversations (ring_hash);
CREATE INDEX idx_user_conversations_inbox ON user_conversations (user_id, joined_at DESC, conversation_id DESC);

-- Down Migration
DROP TABLE user_conversations;
DROP TABLE messages;
DROP TABLE conversation_members;
DROP TABLE conversations;
