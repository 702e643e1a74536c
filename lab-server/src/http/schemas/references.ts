import { z } from 'zod';
import { strictBody, uuidField } from '../../messenger/schema-parts.js';
import { CLAIM_CRASHES, FK_ACTIONS, FK_SCENARIOS, RACE_MODES } from '../../contracts/references.js';

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

export const SampleConversationBody = strictBody({
  title: z.string().trim().min(1, 'title must not be empty').max(200, 'title must be at most 200 characters').default('Analytical Engine'),
  shards: z.number({ error: 'shards must be a number' }).int('shards must be an integer').min(1, 'shards must be at least 1').max(64).default(3),
});

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

const usernameField = z
  .string({ error: 'username must be a string' })
  .min(3, 'username must be 3 to 32 characters')
  .max(32, 'username must be 3 to 32 characters')
  .regex(/^[A-Za-z0-9_.-]+$/, 'username may contain only letters, digits, _, . and -');

export const UsernameRaceBody = strictBody({
  username: usernameField.optional().describe('default: a new name nobody holds'),
  claims: z
    .number({ error: 'claims must be a number' })
    .int('claims must be an integer')
    .min(2, 'claims must be 2 to 50')
    .max(50, 'claims must be 2 to 50')
    .default(50),
});

export const ClaimWalkthroughBody = strictBody({
  crash: z
    .enum(CLAIM_CRASHES, enumError('crash', CLAIM_CRASHES))
    .default('none')
    .describe('where the first sign-up dies: none, after-claim (before the account exists) or after-create (before the confirm)'),
  username: usernameField.optional().describe('default: a new name nobody holds'),
});

export const NameParams = z.object({ username: usernameField });
