import type pg from 'pg';
import type { Cluster } from '../cluster/cluster.js';
import { InvalidInputError } from '../domain/errors.js';
import type { FK_ACTIONS, FK_SCENARIOS } from '../contracts/references.js';
import { inTransaction } from '../postgres/transaction.js';

/**
 * The Foreign-keys chapter's demonstrations: fixed statements, written here and nowhere else, on the lab's
 * own demo tables in the schema `fk_demo` (never the messenger's tables, never SQL from a learner). Each run
 * records its outcome in `fk_demo.attempts` on the shard it ran on, which is what the chapter's checks read;
 * `dropDemo` (the chapter's reset) removes the schema everywhere.
 */

export type FkAction = (typeof FK_ACTIONS)[number];
export type FkScenario = (typeof FK_SCENARIOS)[number];

export const DEMO_SCHEMA = 'fk_demo';
const SQL_ACTION: Record<FkAction, string> = {
  'no-action': 'NO ACTION',
  restrict: 'RESTRICT',
  cascade: 'CASCADE',
  'set-null': 'SET NULL',
  'set-default': 'SET DEFAULT',
};

export interface DbError {
  sqlstate: string;
  message: string;
  detail: string | null;
  constraint: string | null;
}

export interface DemoMessage {
  id: number;
  conversation_id: number | null;
}

export interface FkDemoResult {
  scenario: FkScenario;
  on_delete: FkAction | null;
  shard: string;
  /** What the lab set up, then what it tried: the statements as they ran, in order. */
  setup: string[];
  attempted: string[];
  /** refused: the database raised `error`; done: the statements went through. */
  outcome: 'refused' | 'done';
  error: DbError | null;
  /** The demo's conversations and messages after the attempt (for cross-shard: empty). */
  conversations_after: number[];
  messages_after: DemoMessage[];
  /** cross-shard only: the sender, where it lives, and whether each shard can see it. */
  cross_shard: CrossShardFacts | null;
}

export interface CrossShardFacts {
  sender_id: string;
  sender_shard: string;
  sender_visible_on_sender_shard: boolean;
  sender_visible_here: boolean;
  /** PostgreSQL's answer to a foreign key that references a postgres_fdw foreign table on the sender's shard. */
  foreign_table: { statements: string[]; error: DbError | null } | null;
}

export interface FkAttempt {
  shard: string;
  scenario: FkScenario;
  on_delete: FkAction | null;
  outcome: 'refused' | 'done';
  sqlstate: string | null;
  messages_left: number | null;
  at: string;
}

type Pools = Pick<Cluster, 'shards' | 'pools'>;

const ATTEMPTS_DDL = `CREATE TABLE IF NOT EXISTS ${DEMO_SCHEMA}.attempts (
  id bigserial PRIMARY KEY, scenario text NOT NULL, on_delete text, outcome text NOT NULL,
  sqlstate text, messages_left int, at timestamptz NOT NULL DEFAULT now())`;

/** Two parents and three messages under the first; conversation 0 is where SET DEFAULT sends the messages. */
function demoTables(action: FkAction, deferrable: boolean): string[] {
  return [
    `DROP TABLE IF EXISTS ${DEMO_SCHEMA}.messages, ${DEMO_SCHEMA}.conversations`,
    `CREATE TABLE ${DEMO_SCHEMA}.conversations (id int PRIMARY KEY, title text NOT NULL)`,
    `CREATE TABLE ${DEMO_SCHEMA}.messages (
  id int PRIMARY KEY,
  conversation_id int DEFAULT 0 REFERENCES ${DEMO_SCHEMA}.conversations (id) ON DELETE ${SQL_ACTION[action]}${deferrable ? ' DEFERRABLE INITIALLY IMMEDIATE' : ''},
  body text NOT NULL)`,
    `INSERT INTO ${DEMO_SCHEMA}.conversations VALUES (0, 'Lobby (the default)'), (1, 'Launch plans')`,
    `INSERT INTO ${DEMO_SCHEMA}.messages VALUES (1, 1, 'Are we ready?'), (2, 1, 'Nearly.'), (3, 1, 'Ship it.')`,
  ];
}

function attemptFor(scenario: Exclude<FkScenario, 'cross-shard'>): string[] {
  switch (scenario) {
    case 'orphan-message':
      return [`INSERT INTO ${DEMO_SCHEMA}.messages VALUES (4, 99, 'A message for conversation 99, which does not exist')`];
    case 'delete-conversation':
      return [`DELETE FROM ${DEMO_SCHEMA}.conversations WHERE id = 1`];
    case 'delete-and-restore':
      // Deferred, the check waits for the end of the transaction (here: SET CONSTRAINTS … IMMEDIATE); by then
      // the conversation is back. NO ACTION allows that; RESTRICT checks at once, deferred or not.
      return [
        `SET CONSTRAINTS ${DEMO_SCHEMA}.messages_conversation_id_fkey DEFERRED`,
        `DELETE FROM ${DEMO_SCHEMA}.conversations WHERE id = 1`,
        `INSERT INTO ${DEMO_SCHEMA}.conversations VALUES (1, 'Launch plans (restored)')`,
        `SET CONSTRAINTS ${DEMO_SCHEMA}.messages_conversation_id_fkey IMMEDIATE`,
      ];
  }
}

export function dbError(err: unknown): DbError | null {
  const e = err as Partial<pg.DatabaseError> | null;
  if (!e || typeof e.code !== 'string' || typeof e.message !== 'string') return null;
  return { sqlstate: e.code, message: e.message, detail: e.detail ?? null, constraint: e.constraint ?? null };
}

/** Runs `statements` inside a savepoint: a database error is caught (and rolled back to it) and returned. */
async function tryStatements(client: pg.PoolClient, statements: string[], params: unknown[][] = []): Promise<DbError | null> {
  await client.query('SAVEPOINT attempt');
  try {
    for (const [i, s] of statements.entries()) await client.query(s, params[i] ?? []);
    await client.query('RELEASE SAVEPOINT attempt');
    return null;
  } catch (err) {
    const e = dbError(err);
    if (!e) throw err;
    await client.query('ROLLBACK TO SAVEPOINT attempt');
    return e;
  }
}

/** One transaction on one connection of the shard, serialised with other demos on it by an advisory lock. */
async function inDemoTransaction<T>(cluster: Pools, shard: number, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return cluster.pools.onShard(shard, (pool) =>
    inTransaction(pool, 'BEGIN', async (client) => {
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('${DEMO_SCHEMA}'))`);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${DEMO_SCHEMA}`);
      await client.query(ATTEMPTS_DDL);
      return fn(client);
    }),
  );
}

async function record(
  client: pg.PoolClient,
  r: Pick<FkDemoResult, 'scenario' | 'on_delete' | 'outcome' | 'error'>,
  messagesLeft: number | null,
): Promise<void> {
  await client.query(`INSERT INTO ${DEMO_SCHEMA}.attempts (scenario, on_delete, outcome, sqlstate, messages_left) VALUES ($1, $2, $3, $4, $5)`, [
    r.scenario,
    r.on_delete,
    r.outcome,
    r.error?.sqlstate ?? null,
    messagesLeft,
  ]);
}

function shardByName(cluster: Pools, name: string | undefined, fallback: string): number {
  const wanted = name ?? fallback;
  const s = cluster.shards.find((x) => x.name === wanted || String(x.id) === wanted);
  if (!s)
    throw new InvalidInputError('unknown_shard', `There is no shard '${wanted}'. Shards: ${cluster.shards.map((x) => x.name).join(', ')}.`, { field: 'shard' });
  return s.id;
}

/** Inside one shard: the database's own verdict on an orphan insert, a delete under an action, or a deferred delete. */
export async function runFkDemo(
  cluster: Pools,
  input: { scenario: Exclude<FkScenario, 'cross-shard'>; on_delete?: FkAction | undefined; shard?: string | undefined },
  defaultShard: string,
): Promise<FkDemoResult> {
  const onDelete = input.on_delete ?? 'no-action';
  const shard = shardByName(cluster, input.shard, defaultShard);
  const setup = demoTables(onDelete, input.scenario === 'delete-and-restore');
  const attempted = attemptFor(input.scenario);
  return inDemoTransaction(cluster, shard, async (client) => {
    for (const s of setup) await client.query(s);
    const error = await tryStatements(client, attempted);
    const conversations = await client.query<{ id: number }>(`SELECT id FROM ${DEMO_SCHEMA}.conversations ORDER BY id`);
    const messages = await client.query<DemoMessage>(`SELECT id, conversation_id FROM ${DEMO_SCHEMA}.messages ORDER BY id`);
    const result: FkDemoResult = {
      scenario: input.scenario,
      on_delete: onDelete,
      shard: cluster.shards.find((s) => s.id === shard)!.name,
      setup,
      attempted,
      outcome: error ? 'refused' : 'done',
      error,
      conversations_after: conversations.rows.map((r) => r.id),
      messages_after: messages.rows,
      cross_shard: null,
    };
    await record(client, result, messages.rows.length);
    return result;
  });
}

/** Where a user id lives, by the ring in force. */
export interface SenderPlacement {
  id: string;
  shard: number;
}

/**
 * Across shards: a table on one shard whose foreign key points at `users` there, and a sender who lives on
 * another shard. The insert is refused although the sender exists; then even a foreign table (postgres_fdw)
 * over the sender's shard cannot be the target of a foreign key.
 */
export async function runCrossShard(cluster: Pools, sender: SenderPlacement): Promise<FkDemoResult> {
  const senderShard = cluster.shards.find((s) => s.id === sender.shard);
  const here = cluster.shards.find((s) => s.id !== sender.shard);
  if (!senderShard || !here) throw new InvalidInputError('too_few_shards', 'The cross-shard demonstration needs at least two shards.');
  const visibleThere = await cluster.pools.onShard(
    sender.shard,
    async (pool) => (await pool.query('SELECT 1 FROM users WHERE id = $1', [sender.id])).rowCount === 1,
  );
  const setup = [
    `DROP TABLE IF EXISTS ${DEMO_SCHEMA}.remote_messages`,
    `CREATE TABLE ${DEMO_SCHEMA}.remote_messages (id int PRIMARY KEY, sender_id uuid NOT NULL REFERENCES public.users (id), body text NOT NULL)`,
  ];
  const attempted = [`INSERT INTO ${DEMO_SCHEMA}.remote_messages VALUES (1, '${sender.id}', 'Hello from a user on ${senderShard.name}')`];
  return inDemoTransaction(cluster, here.id, async (client) => {
    for (const s of setup) await client.query(s);
    const visibleHere = (await client.query('SELECT 1 FROM users WHERE id = $1', [sender.id])).rowCount === 1;
    const error = await tryStatements(client, attempted);
    const foreignTable = await tryForeignTable(client, senderShard.url);
    const result: FkDemoResult = {
      scenario: 'cross-shard',
      on_delete: null,
      shard: here.name,
      setup,
      attempted,
      outcome: error ? 'refused' : 'done',
      error,
      conversations_after: [],
      messages_after: [],
      cross_shard: {
        sender_id: sender.id,
        sender_shard: senderShard.name,
        sender_visible_on_sender_shard: visibleThere,
        sender_visible_here: visibleHere,
        foreign_table: foreignTable,
      },
    };
    await record(client, result, null);
    // A table whose foreign key reaches into the messenger's users must not outlive the demonstration.
    await client.query(`DROP TABLE ${DEMO_SCHEMA}.remote_messages`);
    return result;
  });
}

/** A foreign key onto a foreign table: PostgreSQL refuses it (foreign keys reference only local tables). Rolled back. */
async function tryForeignTable(client: pg.PoolClient, url: string): Promise<CrossShardFacts['foreign_table']> {
  const { hostname, port, pathname } = new URL(url);
  const lit = (v: string) => client.escapeLiteral(v);
  const statements = [
    'CREATE EXTENSION IF NOT EXISTS postgres_fdw',
    `CREATE SERVER fk_demo_sender_shard FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host ${lit(hostname)}, port ${lit(port || '5432')}, dbname ${lit(decodeURIComponent(pathname.slice(1)))})`,
    `CREATE FOREIGN TABLE ${DEMO_SCHEMA}.remote_users (id uuid NOT NULL) SERVER fk_demo_sender_shard OPTIONS (schema_name 'public', table_name 'users')`,
    `ALTER TABLE ${DEMO_SCHEMA}.remote_messages ADD FOREIGN KEY (sender_id) REFERENCES ${DEMO_SCHEMA}.remote_users (id)`,
  ];
  // Whatever happens, nothing of it stays: the extension and the server are only for this demonstration.
  await client.query('SAVEPOINT foreign_table');
  const error = await tryStatements(client, statements);
  await client.query('ROLLBACK TO SAVEPOINT foreign_table');
  return { statements, error };
}

/** Every recorded demonstration, on every shard that answers, oldest first. */
export async function listAttempts(cluster: Pools): Promise<FkAttempt[]> {
  const perShard = await Promise.all(
    cluster.shards.map((s) =>
      cluster.pools.onShard(s.id, async (pool) => {
        const exists = await pool.query<{ t: string | null }>(`SELECT to_regclass('${DEMO_SCHEMA}.attempts')::text AS t`);
        if (!exists.rows[0]?.t) return [];
        const { rows } = await pool.query<Omit<FkAttempt, 'shard' | 'at'> & { at: Date | string }>(
          `SELECT scenario, on_delete, outcome, sqlstate, messages_left, at FROM ${DEMO_SCHEMA}.attempts ORDER BY id`,
        );
        return rows.map((r): FkAttempt => ({ ...r, shard: s.name, at: new Date(r.at).toISOString() }));
      }),
    ),
  );
  return perShard.flat().sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}

/** The chapter's reset: the demo schema goes from every shard. */
export async function dropDemo(cluster: Pools): Promise<number> {
  await Promise.all(cluster.shards.map((s) => cluster.pools.onShard(s.id, (pool) => pool.query(`DROP SCHEMA IF EXISTS ${DEMO_SCHEMA} CASCADE`))));
  return cluster.shards.length;
}
