-- Up Migration
-- The messenger's movable tables get what users got in 1764000350000: ring_hash as a plain column that a
-- trigger keeps equal to the ring point of the row's sharding key, because logical replication (how a reshard
-- moves rows) cannot write into a generated column. DEFAULT 0 only lets clients (Prisma) omit the column: the
-- trigger always overwrites it before the row is stored.
ALTER TABLE users ALTER COLUMN ring_hash SET DEFAULT 0;

ALTER TABLE accounts ALTER COLUMN ring_hash DROP EXPRESSION;
ALTER TABLE accounts ALTER COLUMN ring_hash SET DEFAULT 0;
CREATE TRIGGER accounts_ring_hash BEFORE INSERT OR UPDATE OF user_id, ring_hash ON accounts
  FOR EACH ROW EXECUTE FUNCTION lab_set_ring_hash('user_id');

ALTER TABLE users_accounts ALTER COLUMN ring_hash DROP EXPRESSION;
ALTER TABLE users_accounts ALTER COLUMN ring_hash SET DEFAULT 0;
CREATE TRIGGER users_accounts_ring_hash BEFORE INSERT OR UPDATE OF user_id, ring_hash ON users_accounts
  FOR EACH ROW EXECUTE FUNCTION lab_set_ring_hash('user_id');

ALTER TABLE abandoned_accounts ALTER COLUMN ring_hash DROP EXPRESSION;
ALTER TABLE abandoned_accounts ALTER COLUMN ring_hash SET DEFAULT 0;
CREATE TRIGGER abandoned_accounts_ring_hash BEFORE INSERT OR UPDATE OF user_id, ring_hash ON abandoned_accounts
  FOR EACH ROW EXECUTE FUNCTION lab_set_ring_hash('user_id');

ALTER TABLE username_lookup ALTER COLUMN ring_hash DROP EXPRESSION;
ALTER TABLE username_lookup ALTER COLUMN ring_hash SET DEFAULT 0;
CREATE TRIGGER username_lookup_ring_hash BEFORE INSERT OR UPDATE OF username, ring_hash ON username_lookup
  FOR EACH ROW EXECUTE FUNCTION lab_set_ring_hash('username');

ALTER TABLE email_lookup ALTER COLUMN ring_hash DROP EXPRESSION;
ALTER TABLE email_lookup ALTER COLUMN ring_hash SET DEFAULT 0;
CREATE TRIGGER email_lookup_ring_hash BEFORE INSERT OR UPDATE OF email, ring_hash ON email_lookup
  FOR EACH ROW EXECUTE FUNCTION lab_set_ring_hash('email');

ALTER TABLE conversations ALTER COLUMN ring_hash DROP EXPRESSION;
ALTER TABLE conversations ALTER COLUMN ring_hash SET DEFAULT 0;
CREATE TRIGGER conversations_ring_hash BEFORE INSERT OR UPDATE OF id, ring_hash ON conversations
  FOR EACH ROW EXECUTE FUNCTION lab_set_ring_hash('id');

ALTER TABLE conversation_members ALTER COLUMN ring_hash DROP EXPRESSION;
ALTER TABLE conversation_members ALTER COLUMN ring_hash SET DEFAULT 0;
CREATE TRIGGER conversation_members_ring_hash BEFORE INSERT OR UPDATE OF conversation_id, ring_hash ON conversation_members
  FOR EACH ROW EXECUTE FUNCTION lab_set_ring_hash('conversation_id');

ALTER TABLE messages ALTER COLUMN ring_hash DROP EXPRESSION;
ALTER TABLE messages ALTER COLUMN ring_hash SET DEFAULT 0;
CREATE TRIGGER messages_ring_hash BEFORE INSERT OR UPDATE OF conversation_id, ring_hash ON messages
  FOR EACH ROW EXECUTE FUNCTION lab_set_ring_hash('conversation_id');

ALTER TABLE user_conversations ALTER COLUMN ring_hash DROP EXPRESSION;
ALTER TABLE user_conversations ALTER COLUMN ring_hash SET DEFAULT 0;
CREATE TRIGGER user_conversations_ring_hash BEFORE INSERT OR UPDATE OF user_id, ring_hash ON user_conversations
  FOR EACH ROW EXECUTE FUNCTION lab_set_ring_hash('user_id');

-- Down Migration
-- Back to generated columns (values are recomputed; indexes on ring_hash are rebuilt with the column).
DROP TRIGGER user_conversations_ring_hash ON user_conversations;
ALTER TABLE user_conversations DROP COLUMN ring_hash;
ALTER TABLE user_conversations ADD COLUMN ring_hash bigint NOT NULL GENERATED ALWAYS AS (('x' || substr(md5(user_id::text), 1, 8))::bit(32)::bigint) STORED;
CREATE INDEX idx_user_conversations_ring_hash ON user_conversations (ring_hash);
DROP TRIGGER messages_ring_hash ON messages;
ALTER TABLE messages DROP COLUMN ring_hash;
ALTER TABLE messages ADD COLUMN ring_hash bigint NOT NULL GENERATED ALWAYS AS (('x' || substr(md5(conversation_id::text), 1, 8))::bit(32)::bigint) STORED;
CREATE INDEX idx_messages_ring_hash ON messages (ring_hash);
DROP TRIGGER conversation_members_ring_hash ON conversation_members;
ALTER TABLE conversation_members DROP COLUMN ring_hash;
ALTER TABLE conversation_members ADD COLUMN ring_hash bigint NOT NULL GENERATED ALWAYS AS (('x' || substr(md5(conversation_id::text), 1, 8))::bit(32)::bigint) STORED;
CREATE INDEX idx_conversation_members_ring_hash ON conversation_members (ring_hash);
DROP TRIGGER conversations_ring_hash ON conversations;
ALTER TABLE conversations DROP COLUMN ring_hash;
ALTER TABLE conversations ADD COLUMN ring_hash bigint NOT NULL GENERATED ALWAYS AS (('x' || substr(md5(id::text), 1, 8))::bit(32)::bigint) STORED;
CREATE INDEX idx_conversations_ring_hash ON conversations (ring_hash);
DROP TRIGGER email_lookup_ring_hash ON email_lookup;
ALTER TABLE email_lookup DROP COLUMN ring_hash;
ALTER TABLE email_lookup ADD COLUMN ring_hash bigint NOT NULL GENERATED ALWAYS AS (('x' || substr(md5(email), 1, 8))::bit(32)::bigint) STORED;
CREATE INDEX idx_email_lookup_ring_hash ON email_lookup (ring_hash);
DROP TRIGGER username_lookup_ring_hash ON username_lookup;
ALTER TABLE username_lookup DROP COLUMN ring_hash;
ALTER TABLE username_lookup ADD COLUMN ring_hash bigint NOT NULL GENERATED ALWAYS AS (('x' || substr(md5(username), 1, 8))::bit(32)::bigint) STORED;
CREATE INDEX idx_username_lookup_ring_hash ON username_lookup (ring_hash);
DROP TRIGGER abandoned_accounts_ring_hash ON abandoned_accounts;
ALTER TABLE abandoned_accounts DROP COLUMN ring_hash;
ALTER TABLE abandoned_accounts ADD COLUMN ring_hash bigint NOT NULL GENERATED ALWAYS AS (('x' || substr(md5(user_id::text), 1, 8))::bit(32)::bigint) STORED;
CREATE INDEX idx_abandoned_accounts_ring_hash ON abandoned_accounts (ring_hash);
DROP TRIGGER users_accounts_ring_hash ON users_accounts;
ALTER TABLE users_accounts DROP COLUMN ring_hash;
ALTER TABLE users_accounts ADD COLUMN ring_hash bigint NOT NULL GENERATED ALWAYS AS (('x' || substr(md5(user_id::text), 1, 8))::bit(32)::bigint) STORED;
CREATE INDEX idx_users_accounts_ring_hash ON users_accounts (ring_hash);
DROP TRIGGER accounts_ring_hash ON accounts;
ALTER TABLE accounts DROP COLUMN ring_hash;
ALTER TABLE accounts ADD COLUMN ring_hash bigint NOT NULL GENERATED ALWAYS AS (('x' || substr(md5(user_id::text), 1, 8))::bit(32)::bigint) STORED;
CREATE INDEX idx_accounts_ring_hash ON accounts (ring_hash);
ALTER TABLE users ALTER COLUMN ring_hash DROP DEFAULT;
