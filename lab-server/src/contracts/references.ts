import { z } from 'zod';

/**
 * The replies of /lab/v1/references (the Foreign-keys chapter), shared by the routes that send them and the
 * `fk` commands that read them.
 */

export const FK_ACTIONS = ['no-action', 'restrict', 'cascade', 'set-null', 'set-default'] as const;
export const FK_SCENARIOS = ['orphan-message', 'delete-conversation', 'delete-and-restore', 'cross-shard'] as const;
export const RACE_MODES = ['naive', 'correct'] as const;
export const CLAIM_CRASHES = ['none', 'after-claim', 'after-create'] as const;

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

const RaceRecordShape = {
  mode: z.enum(RACE_MODES),
  rounds: z.number(),
  window_ms: z.number(),
  created: z.number().describe('conversations written with the doomed user as a member'),
  refused: z.number().describe('requests that found the user already gone and wrote nothing'),
  orphans: z.number().describe("member rows in this run's conversations whose user no longer exists, counted after the outbox drained"),
};
export const RaceResultSchema = z.object({ ...RaceRecordShape, drain_ms: z.number() }).meta({ id: 'RaceResult' });
export const RaceListSchema = z
  .object({ runs: z.array(z.object({ ...RaceRecordShape, ended_at: z.string().describe('when the run was recorded, after its rounds and the drain') })) })
  .meta({ id: 'RaceList' });

export const UsernameRaceSchema = z
  .object({
    username: z.string(),
    lookup_shard: z.string().describe('where every claim went: the shard of the lower-cased name'),
    claims: z.number(),
    won: z.number(),
    conflicts: z.number().describe('409 already_taken'),
    failed: z.array(z.string()),
    winner: z.object({ user_id: z.string(), user_shard: z.string() }).nullable(),
    started_at: z.string().describe('when the claims were sent'),
    finished_at: z.string().describe('when the last claim was answered'),
  })
  .meta({ id: 'UsernameRace' });

export const UsernameRaceListSchema = z
  .object({
    runs: z.array(
      z.object({
        username: z.string(),
        claims: z.number(),
        won: z.number(),
        conflicts: z.number(),
        failed: z.number(),
        started_at: z.string(),
        finished_at: z.string(),
      }),
    ),
  })
  .meta({ id: 'UsernameRaceList' });

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

const WhoSchema = z.enum(['first', 'second', 'other']).describe("whose claim or account: the first sign-up's, the second's, or someone else's");

export const ClaimStateSchema = z
  .object({
    lookup: z
      .object({ holder: WhoSchema, account_id: z.string(), confirmed: z.boolean(), age_ms: z.number().describe("by the lookup shard's clock") })
      .nullable()
      .describe("the name's username_lookup row, on the name's shard"),
    accounts: z.array(z.object({ shard: z.string(), holder: WhoSchema, account_id: z.string() })).describe('accounts with this username, on every shard'),
    first_fenced: z.boolean().describe("the first sign-up's account id is in abandoned_accounts: it can never be created"),
  })
  .meta({ id: 'ClaimState' });

export const ClaimWalkthroughSchema = z
  .object({
    username: z.string(),
    crash: z.enum(CLAIM_CRASHES),
    lookup_shard: z.string().describe("the name's shard: where every claim for it is written"),
    first: z.object({ user_id: z.string(), user_shard: z.string(), account_id: z.string() }),
    second: z.object({ user_id: z.string(), user_shard: z.string(), account_id: z.string().nullable() }),
    steps: z.array(
      z.object({
        step: z.enum(['claim', 'create', 'confirm', 'crash', 'second-claim', 'expire', 'second-claim-again', 'late-create']),
        what: z.string(),
        outcome: z.enum(['done', 'refused', 'crashed', 'aged']),
        error: z.string().nullable(),
        state: ClaimStateSchema.describe('read from the shards right after the step'),
      }),
    ),
    holder: WhoSchema.nullable(),
    accounts_with_name: z.number(),
    settled: z.boolean().describe('one account holds the name and the confirmed lookup row names it'),
  })
  .meta({ id: 'ClaimWalkthrough' });

export const ClaimWalkthroughListSchema = z
  .object({
    runs: z.array(
      z.object({
        username: z.string(),
        crash: z.enum(CLAIM_CRASHES),
        holder: WhoSchema.nullable(),
        accounts_with_name: z.number(),
        settled: z.boolean(),
      }),
    ),
  })
  .meta({ id: 'ClaimWalkthroughList' });

export const NameHoldersSchema = z
  .object({
    username: z.string().describe('lower-cased, as the lookup table keys it'),
    lookup_shard: z.string().describe("the name's shard: routed by the lower-cased name"),
    lookup: z
      .object({ account_id: z.string(), user_id: z.string(), confirmed: z.boolean(), age_ms: z.number().describe("by the lookup shard's clock") })
      .nullable()
      .describe('the username_lookup row; null when only an account carries the name (its claim was released)'),
    accounts: z
      .array(z.object({ shard: z.string().describe("the owner's shard: routed by user_id"), account_id: z.string(), user_id: z.string() }))
      .describe('accounts carrying the name, read from every shard'),
  })
  .meta({ id: 'NameHolders' });
