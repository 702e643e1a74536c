import { z } from 'zod';
import { strictBody, uuidField } from '../../messenger/schema-parts.js';
import { FK_ACTIONS, FK_SCENARIOS } from '../../references/fk-demo.js';
import { RACE_MODES } from '../../references/race.js';

const enumError = (field: string, values: readonly string[]) => ({
  error: (iss: { input?: unknown }) => (iss.input === undefined ? `${field} is required` : `${field} must be one of ${values.join(', ')}`),
});

export const FkDemoBody = strictBody({
  scenario: z
    .enum(FK_SCENARIOS, enumError('scenario', FK_SCENARIOS))
    .describe(
      'orphan-message: insert a message for a conversation that does not exist; delete-conversation: delete a conversation that has three messages; delete-and-restore: delete it and put it back in one transaction with the check deferred; cross-shard: reference a user who lives on another shard',
    ),
  on_delete: z
    .enum(FK_ACTIONS, enumError('on_delete', FK_ACTIONS))
    .optional()
    .describe("the foreign key's ON DELETE action (default no-action); not for cross-shard"),
  shard: z.string().min(1).max(64).optional().describe('the shard to run on (default: the first of the ring); not for cross-shard'),
  sender_id: uuidField('sender_id').optional().describe('cross-shard only: an existing user to reference (default: the lab creates one)'),
})
  .refine((b) => b.scenario !== 'cross-shard' || (b.on_delete === undefined && b.shard === undefined), {
    message: "cross-shard takes no on_delete or shard: it runs on a shard other than the sender's",
  })
  .refine((b) => b.scenario === 'cross-shard' || b.sender_id === undefined, { message: 'sender_id is for the cross-shard scenario only', path: ['sender_id'] });

const DbErrorSchema = z
  .object({ sqlstate: z.string(), message: z.string(), detail: z.string().nullable(), constraint: z.string().nullable() })
  .describe("PostgreSQL's own error, as it raised it")
  .meta({ id: 'DbError' });

export const FkDemoResultSchema = z
  .object({
    scenario: z.enum(FK_SCENARIOS),
    on_delete: z.enum(FK_ACTIONS).nullable(),
    shard: z.string(),
    setup: z.array(z.string()).describe('the fixed statements that built the demo tables'),
    attempted: z.array(z.string()).describe('the statements tried, in one savepoint'),
    outcome: z.enum(['refused', 'done']),
    error: DbErrorSchema.nullable(),
    conversations_after: z.array(z.number()),
    messages_after: z.array(z.object({ id: z.number(), conversation_id: z.number().nullable() })),
    cross_shard: z
      .object({
        sender_id: z.string(),
        sender_shard: z.string(),
        sender_visible_on_sender_shard: z.boolean(),
        sender_visible_here: z.boolean(),
        foreign_table: z.object({ statements: z.array(z.string()), error: DbErrorSchema.nullable() }).nullable(),
      })
      .nullable(),
  })
  .meta({ id: 'FkDemoResult' });

export const FkAttemptsSchema = z
  .object({
    attempts: z.array(
      z.object({
        shard: z.string(),
        scenario: z.enum(FK_SCENARIOS),
        on_delete: z.enum(FK_ACTIONS).nullable(),
        outcome: z.enum(['refused', 'done']),
        sqlstate: z.string().nullable(),
        messages_left: z.number().nullable(),
        at: z.string(),
      }),
    ),
  })
  .meta({ id: 'FkAttempts' });

export const SampleConversationBody = strictBody({
  title: z.string().trim().min(1, 'title must not be empty').max(200, 'title must be at most 200 characters').default('Analytical Engine'),
  shards: z.number({ error: 'shards must be a number' }).int('shards must be an integer').min(1, 'shards must be at least 1').max(64).default(3),
});

export const SampleConversationSchema = z
  .object({
    conversation_id: z.string(),
    conversation_shard: z.string(),
    members: z.array(z.object({ user_id: z.string(), name: z.string(), shard: z.string() })),
    member_shards: z.array(z.string()),
    messages: z.number(),
  })
  .meta({ id: 'SampleConversation' });

export const ConversationMapSchema = z
  .object({
    conversation: z.object({ id: z.string(), title: z.string(), created_at: z.string(), shard: z.string().describe('routed by conversations.id') }),
    members: z.array(
      z.object({
        user_id: z.string(),
        member_shard: z.string().describe('the conversation_members row: routed by conversation_id'),
        user_shard: z.string().describe('the users row and the inbox row: routed by the user id'),
        user_exists: z.boolean(),
        name: z.string().nullable(),
        inbox_row: z.boolean(),
        messages: z.number(),
        usernames: z.array(
          z.object({
            username: z.string(),
            account_shard: z.string(),
            lookup_shard: z.string().describe('routed by the lower-cased username'),
            lookup_confirmed: z.boolean().nullable(),
          }),
        ),
      }),
    ),
    messages: z.object({ shard: z.string(), total: z.number(), without_sender: z.number() }),
  })
  .meta({ id: 'ConversationMap' });

export const ReferenceAuditSchema = z
  .object({
    references: z.array(
      z.object({
        reference: z.string(),
        kept_by: z.string(),
        checked: z.number(),
        dangling: z.number(),
        sample: z.array(z.object({ from_shard: z.string(), row: z.string(), missing: z.string(), expected_on: z.string() })),
      }),
    ),
    total_dangling: z.number(),
    unreachable: z.array(z.string()).describe('shards that did not answer; the audit is incomplete while any is listed'),
  })
  .meta({ id: 'ReferenceAudit' });

export const RaceBody = strictBody({
  mode: z
    .enum(RACE_MODES, enumError('mode', RACE_MODES))
    .describe("naive: check, wait window_ms, write (the original guide's sketch); correct: the messenger's POST /api/v1/conversations path"),
  rounds: z
    .number({ error: 'rounds must be a number' })
    .int('rounds must be an integer')
    .min(1, 'rounds must be 1 to 50')
    .max(50, 'rounds must be 1 to 50')
    .default(20),
  window_ms: z
    .number({ error: 'window_ms must be a number' })
    .int('window_ms must be an integer')
    .min(0, 'window_ms must be 0 to 2000')
    .max(2000, 'window_ms must be 0 to 2000')
    .default(200)
    .describe('naive only: the pause between the check and the write; the delete lands halfway through it'),
});

const RaceRecordShape = {
  mode: z.enum(RACE_MODES),
  rounds: z.number(),
  window_ms: z.number(),
  created: z.number().describe('conversations written with the doomed user as a member'),
  refused: z.number().describe('requests that found the user already gone and wrote nothing'),
  orphans: z.number().describe("member rows in this run's conversations whose user no longer exists, counted after the outbox drained"),
};
export const RaceResultSchema = z.object({ ...RaceRecordShape, drain_ms: z.number() }).meta({ id: 'RaceResult' });
export const RaceListSchema = z.object({ runs: z.array(z.object(RaceRecordShape)) }).meta({ id: 'RaceList' });

export const UsernameRaceBody = strictBody({
  username: z
    .string({ error: 'username is required' })
    .min(3, 'username must be 3 to 32 characters')
    .max(32, 'username must be 3 to 32 characters')
    .regex(/^[A-Za-z0-9_.-]+$/, 'username may contain only letters, digits, _, . and -'),
  claims: z
    .number({ error: 'claims must be a number' })
    .int('claims must be an integer')
    .min(2, 'claims must be 2 to 50')
    .max(50, 'claims must be 2 to 50')
    .default(50),
});

export const UsernameRaceSchema = z
  .object({
    username: z.string(),
    lookup_shard: z.string().describe('where every claim went: the shard of the lower-cased name'),
    claims: z.number(),
    won: z.number(),
    conflicts: z.number().describe('409 already_taken'),
    failed: z.array(z.string()),
    winner: z.object({ user_id: z.string(), user_shard: z.string() }).nullable(),
  })
  .meta({ id: 'UsernameRace' });

export const OutboxViewSchema = z
  .object({
    shards: z.array(
      z.object({
        shard: z.string(),
        reachable: z.boolean().describe('false when the shard did not answer: its events wait there, unread'),
        pending: z.number(),
        retrying: z.number().describe('pending events that failed at least once and wait for their retry'),
        delivered: z.number().describe('delivered events still in the shard history (outbox_delivered keeps the newest `kept`)'),
        max_lag_ms: z.number().nullable().describe('the longest a delivered event took from written to applied'),
        error: z.string().nullable(),
      }),
    ),
    events: z.array(
      z.object({
        shard: z.string(),
        id: z.string(),
        topic: z.string(),
        subject: z.string().nullable().describe('the user or conversation the event is about'),
        state: z.enum(['pending', 'retrying', 'delivered']),
        attempts: z.number(),
        created_at: z.string(),
        delivered_at: z.string().nullable(),
        age_ms: z.number().describe('written to delivered, or to now while pending'),
        last_error: z.string().nullable(),
      }),
    ),
    kept: z.number().describe('how many delivered events each shard keeps'),
  })
  .meta({ id: 'OutboxView' });

export const OutboxDrillSchema = z
  .object({
    user_id: z.string(),
    user_shard: z.string(),
    conversation_id: z.string(),
    conversation_shard: z.string().describe('the shard the drill killed and started again'),
    event_id: z.string().describe("the user.deleted event's id in the outbox of user_shard"),
    while_down: z.object({ pending: z.boolean(), attempts: z.number(), last_error: z.string().nullable() }),
    delivered: z.boolean(),
    attempts: z.number(),
    lag_ms: z.number().nullable().describe('from the delete to the event applied: how long the membership dangled'),
    orphans: z.number().describe('member rows of the conversation whose user is gone, after delivery'),
    steps: z.array(z.object({ at_ms: z.number(), what: z.string() })),
  })
  .meta({ id: 'OutboxDrill' });

const FkActionSchema = z.enum(['no action', 'restrict', 'cascade', 'set null', 'set default']);

export const ConstraintMapSchema = z
  .object({
    constraints: z.array(
      z.object({
        table: z.string(),
        name: z.string(),
        type: z.enum(['primary key', 'unique', 'foreign key', 'check']),
        columns: z.array(z.string()),
        references: z.object({ table: z.string(), columns: z.array(z.string()) }).nullable(),
        on_delete: FkActionSchema.nullable(),
        on_update: FkActionSchema.nullable(),
        deferrable: z.boolean(),
        definition: z.string().describe('as pg_get_constraintdef prints it'),
        shards: z.array(z.string()).describe('the shards whose catalog holds exactly this constraint'),
      }),
    ),
    cross_shard: z.array(
      z.object({
        reference: z.string(),
        kept_by: z.enum(['database', 'lookup table', 'application', 'events', 'copy']),
        how: z.string(),
        break_it: z
          .object({ method: z.literal('POST'), path: z.string(), body: z.record(z.string(), z.unknown()) })
          .describe('the lab route that breaks it on purpose'),
      }),
    ),
    unreachable: z.array(z.string()),
  })
  .meta({ id: 'ConstraintMap' });
