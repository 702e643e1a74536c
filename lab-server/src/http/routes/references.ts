import { z } from 'zod';
import type { ApiRouter } from '../api-router.js';
import type { Lab } from '../../lab/lab.js';
import { UnknownReferenceError } from '../../domain/errors.js';
import { locate } from '../../messenger/locate.js';
import { auditReferences } from '../../references/audit.js';
import { constraintMap } from '../../references/constraints.js';
import { conversationMap } from '../../references/conversation-map.js';
import { dropDemo, listAttempts, runCrossShard, runFkDemo, type SenderPlacement } from '../../references/fk-demo.js';
import { runOutboxDrill } from '../../references/outbox-drill.js';
import { outboxView } from '../../references/outbox-view.js';
import { listRaces, runRace } from '../../references/race.js';
import { sampleConversation } from '../../references/sample.js';
import { listUsernameRaces, usernameRace } from '../../references/username-race.js';
import { listClaimWalkthroughs, nameHolders, runClaimWalkthrough } from '../../references/claim-walkthrough.js';
import {
  ClaimWalkthroughListSchema,
  ClaimWalkthroughSchema,
  ConstraintMapSchema,
  ConversationMapSchema,
  FkAttemptsSchema,
  FkDemoResultSchema,
  NameHoldersSchema,
  OutboxDrillSchema,
  OutboxViewSchema,
  RaceListSchema,
  RaceResultSchema,
  ReferenceAuditSchema,
  SampleConversationSchema,
  UsernameRaceListSchema,
  UsernameRaceSchema,
} from '../../contracts/references.js';
import { ClaimWalkthroughBody, FkDemoBody, NameParams, RaceBody, SampleConversationBody, UsernameRaceBody } from '../schemas/references.js';

/** `/lab/v1/references`: the Foreign-keys chapter — foreign keys inside a shard, references across shards, and their audit. */
export function referenceRoutes(api: ApiRouter, lab: Pick<Lab, 'cluster' | 'ring' | 'messenger'>): void {
  const tag = 'lab: references';

  api.add(
    {
      method: 'post',
      path: '/references/fk-demo',
      tag,
      summary: "Run one of the lab's fixed foreign-key demonstrations and return PostgreSQL's own answer",
      description:
        "Inside one shard (orphan-message, delete-conversation, delete-and-restore under an ON DELETE action) on the lab's demo tables in schema fk_demo; or across shards (cross-shard: a foreign key to users on one shard, a sender on another, then a foreign key onto a postgres_fdw foreign table). The statements are the lab's, never the caller's. Each run is recorded for the chapter's checks.",
      body: FkDemoBody,
      bodyName: 'demonstration',
      responses: {
        200: { description: 'what ran and what the database answered', schema: FkDemoResultSchema },
        422: { description: 'unknown_user: sender_id is not a user' },
      },
    },
    async ({ res, body }) => {
      if (body.scenario === 'cross-shard') {
        res.json(await runCrossShard(lab.cluster, await sender(lab, body.sender_id)));
        return;
      }
      res.json(await runFkDemo(lab.cluster, { scenario: body.scenario, on_delete: body.on_delete, shard: body.shard }, lab.ring.router.names[0]!));
    },
  );

  api.add(
    {
      method: 'get',
      path: '/references/fk-demo',
      tag,
      summary: 'Every demonstration run so far, on every shard, oldest first',
      responses: { 200: { description: 'the recorded runs', schema: FkAttemptsSchema } },
    },
    async ({ res }) => {
      res.json({ attempts: await listAttempts(lab.cluster) });
    },
  );

  api.add(
    {
      method: 'delete',
      path: '/references/fk-demo',
      tag,
      summary: 'Drop the demo tables (schema fk_demo) and their records from every shard',
      responses: { 200: { description: 'dropped', schema: z.object({ shards: z.number() }) } },
    },
    async ({ res }) => {
      res.json({ shards: await dropDemo(lab.cluster) });
    },
  );

  api.add(
    {
      method: 'post',
      path: '/references/sample-conversation',
      tag,
      summary: 'Create users until they cover N shards, a conversation with all of them, and a message from each',
      description: 'Through the messenger services, so the same checks and outbox events apply as for POST /api/v1/conversations.',
      body: SampleConversationBody,
      bodyOptional: true,
      bodyName: 'sample conversation',
      responses: { 201: { description: 'the conversation and where its members live', schema: SampleConversationSchema } },
    },
    async ({ res, body }) => {
      res.status(201).json(await sampleConversation(lab.messenger, lab.ring.router, body));
    },
  );

  api.add(
    {
      method: 'get',
      path: '/references/conversations/:id',
      tag,
      summary: "One conversation's rows on every shard they live on, read from the shards, with the key that placed each",
      responses: { 200: { description: 'the rows and their shards', schema: ConversationMapSchema }, 404: { description: 'no such conversation' } },
    },
    async ({ res, params }) => {
      res.json(await conversationMap(lab.cluster, lab.ring.router, params.id!));
    },
  );

  api.add(
    {
      method: 'post',
      path: '/references/race',
      tag,
      summary: 'Check-then-write against a concurrent delete, N rounds at once: conversations written, refused, and orphans left',
      description:
        "Each round creates a user, starts a conversation with them and deletes them while it is written. naive: check, delete sent, wait window_ms, write (no lock), as the original guide sketches; correct: the messenger path, the delete sent window_ms / 2 after the request. Orphans are counted once the outbox has applied the run's events. See docs/references.md.",
      body: RaceBody,
      bodyName: 'race',
      responses: {
        200: { description: 'the run', schema: RaceResultSchema },
        503: { description: "outbox_behind: the run's events were not applied within 30 s (details.pending names the shards); or a shard did not answer" },
      },
    },
    async ({ res, body }) => {
      res.json(await runRace({ cluster: lab.cluster, router: lab.ring.router, messenger: lab.messenger }, body));
    },
  );

  api.add(
    {
      method: 'get',
      path: '/references/race',
      tag,
      summary: 'Every race run so far, oldest first',
      responses: { 200: { description: 'the runs', schema: RaceListSchema } },
    },
    async ({ res }) => {
      res.json({ runs: await listRaces(lab.cluster) });
    },
  );

  api.add(
    {
      method: 'post',
      path: '/references/username-race',
      tag,
      summary: 'N new users claim one username at the same moment; the lookup shard lets exactly one in',
      description: 'Through the accounts service (the path behind POST /api/v1/accounts); docs/uniqueness.md.',
      body: UsernameRaceBody,
      bodyName: 'username race',
      responses: { 200: { description: 'who won, and how the others were answered', schema: UsernameRaceSchema } },
    },
    async ({ res, body }) => {
      res.json(await usernameRace(lab.messenger, lab.ring.router, body, lab.cluster));
    },
  );

  api.add(
    {
      method: 'get',
      path: '/references/username-race',
      tag,
      summary: 'Every username race run so far, oldest first, with when it began and ended (for a race under load)',
      responses: { 200: { description: 'the runs', schema: UsernameRaceListSchema } },
    },
    async ({ res }) => {
      res.json({ runs: await listUsernameRaces(lab.cluster) });
    },
  );

  api.add(
    {
      method: 'get',
      path: '/references/names/:username',
      tag,
      summary: "Who holds a username: its lookup row on the name's shard, and every account carrying it on every shard",
      params: NameParams,
      responses: { 200: { description: 'the rows, read from the shards', schema: NameHoldersSchema }, 404: { description: 'nobody holds or claims the name' } },
    },
    async ({ res, params }) => {
      res.json(await nameHolders({ cluster: lab.cluster, router: lab.ring.router }, params.username));
    },
  );

  api.add(
    {
      method: 'post',
      path: '/references/claim-walkthrough',
      tag,
      summary: 'The username protocol step by step: claim, create, confirm — or a crash after the claim or the create — and how the next claimant settles it',
      description:
        'A first user claims the name, creates the account and confirms, dying where `crash` says; a second user then signs up for the same name at once and, after a crash, again once the claim is past its TTL (the lab moves claimed_at back instead of waiting). After an after-claim crash the first request also tries its account late and meets the fence. After each step the lookup row, every account with the name and the fence are read from the shards. docs/uniqueness.md.',
      body: ClaimWalkthroughBody,
      bodyOptional: true,
      bodyName: 'walkthrough',
      responses: { 200: { description: 'each step and the rows it left', schema: ClaimWalkthroughSchema } },
    },
    async ({ res, body }) => {
      res.json(await runClaimWalkthrough({ cluster: lab.cluster, router: lab.ring.router, messenger: lab.messenger }, body));
    },
  );

  api.add(
    {
      method: 'get',
      path: '/references/claim-walkthrough',
      tag,
      summary: 'Every claim walkthrough run so far, oldest first: where it crashed and whether the name settled on one account',
      responses: { 200: { description: 'the runs', schema: ClaimWalkthroughListSchema } },
    },
    async ({ res }) => {
      res.json({ runs: await listClaimWalkthroughs(lab.cluster) });
    },
  );

  api.add(
    {
      method: 'get',
      path: '/references/audit',
      tag,
      summary: 'Every cross-shard reference followed to its target: how many dangle, and a sample of them',
      responses: { 200: { description: 'the audit', schema: ReferenceAuditSchema } },
    },
    async ({ res }) => {
      res.json(await auditReferences(lab.cluster, lab.ring.router));
    },
  );
  api.add(
    {
      method: 'get',
      path: '/references/outbox',
      tag,
      summary: 'The outbox per shard, read from the shards: events pending, retrying and delivered, with how long each took',
      description: 'Pending events are in outbox, delivered ones in outbox_delivered (the newest `kept` per shard); an event is in exactly one of them.',
      responses: { 200: { description: 'per shard counts and the latest events', schema: OutboxViewSchema } },
    },
    async ({ res }) => {
      res.json(await outboxView(lab.cluster));
    },
  );

  api.add(
    {
      method: 'post',
      path: '/references/outbox-drill',
      tag,
      summary: "Kill a conversation's shard during a deleted member's cleanup: the event waits, then is delivered when the shard is back",
      description:
        "Creates a member and a conversation on another shard, kills the conversation's shard (embedded shards only), deletes the member, waits for the user.deleted event to fail and stay pending, starts the shard again, waits for delivery and counts orphans. Takes a few seconds; the shard is started again whatever happens.",
      responses: {
        200: { description: 'each step, what the event said while the shard was down, and the orphans left', schema: OutboxDrillSchema },
        409: { description: 'too_few_shards, not_embedded, not_placed or drill_stalled' },
      },
    },
    async ({ res }) => {
      res.json(await runOutboxDrill({ cluster: lab.cluster, router: lab.ring.router, messenger: lab.messenger }));
    },
  );
  api.add(
    {
      method: 'get',
      path: '/references/constraints',
      tag,
      summary: "Every constraint in the shards' catalogs (pg_constraint) with its actions, and each cross-shard reference with what keeps it",
      description:
        'Constraints identical on several shards are listed once with the shards that hold them; a shard missing one (a half-applied migration) shows.',
      responses: { 200: { description: 'the catalog and the cross-shard references', schema: ConstraintMapSchema } },
    },
    async ({ res }) => {
      res.json(await constraintMap(lab.cluster));
    },
  );
}

/** The user a cross-shard demonstration references: the one named, which must exist, or a new one. */
async function sender(lab: Pick<Lab, 'ring' | 'messenger'>, id: string | undefined): Promise<SenderPlacement> {
  if (id === undefined) {
    const { value } = await lab.messenger.users.create({ first_name: 'Remote', last_name: 'Sender' });
    return { id: value.id, shard: lab.ring.router.shardFor(value.id) };
  }
  const located = locate(lab.ring.router, id, 'user', 'sender_id');
  if ((await lab.messenger.users.missingIds([located.id])).length > 0) {
    throw new UnknownReferenceError('unknown_user', `No user ${located.id}; give an existing user, or leave sender_id out and the lab creates one.`, {
      field: 'sender_id',
    });
  }
  return located;
}
