import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationMap } from '../src/references/conversation-map.js';
import type { ReferenceAudit } from '../src/references/audit.js';
import type { FkAttempt, FkDemoResult } from '../src/references/fk-demo.js';
import type { SampleConversation } from '../src/references/sample.js';
import type { ConstraintMap } from '../src/references/constraints.js';
import type { OutboxView } from '../src/references/outbox-view.js';
import type { OutboxBacklog } from '../src/messenger/outbox/outbox.js';
import type { ClaimWalkthrough, nameHolders } from '../src/references/claim-walkthrough.js';
import type { UsernameRace } from '../src/references/username-race.js';
import { drain } from '../src/references/race.js';
import { UnavailableError } from '../src/domain/errors.js';
import { runCli } from './support/cli.js';
import { startTestLab, type ErrorReply, type TestLab } from './support/lab.js';

type NameHolders = Awaited<ReturnType<typeof nameHolders>>;

/** The Foreign-keys chapter's routes against real PostgreSQL: what the database itself says, inside a shard and across. */
let t: TestLab;
beforeAll(async () => {
  t = await startTestLab(3);
});
afterAll(async () => t?.stop());

const demo = (body: object) => t.call<FkDemoResult>('POST', '/lab/v1/references/fk-demo', body);

async function drained(): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if ((await t.call<OutboxBacklog>('GET', '/lab/v1/outbox')).body.total_pending === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the outbox did not drain');
}

describe('inside one shard the database enforces the reference', () => {
  it('refuses an orphan message with its own foreign-key error', async () => {
    const r = await demo({ scenario: 'orphan-message' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ outcome: 'refused', shard: 'shard-0', error: { sqlstate: '23503', constraint: 'messages_conversation_id_fkey' } });
    expect(r.body.error!.detail).toMatch(/\(conversation_id\)=\(99\) is not present/);
    expect(r.body.messages_after).toHaveLength(3);
  });

  it('applies each ON DELETE action as PostgreSQL defines it', async () => {
    const run = async (on_delete: string) => (await demo({ scenario: 'delete-conversation', on_delete, shard: 'shard-1' })).body;
    for (const a of ['no-action', 'restrict']) {
      const r = await run(a);
      // NO ACTION reports a foreign-key violation; RESTRICT its own restrict_violation.
      expect(r, a).toMatchObject({
        outcome: 'refused',
        shard: 'shard-1',
        error: { sqlstate: a === 'restrict' ? '23001' : '23503' },
        conversations_after: [0, 1],
      });
    }
    expect(await run('cascade')).toMatchObject({ outcome: 'done', error: null, conversations_after: [0], messages_after: [] });
    expect((await run('set-null')).messages_after).toEqual([1, 2, 3].map((id) => ({ id, conversation_id: null })));
    expect((await run('set-default')).messages_after).toEqual([1, 2, 3].map((id) => ({ id, conversation_id: 0 })));
  });

  it('lets NO ACTION be deferred past a delete-and-restore, and RESTRICT not', async () => {
    expect((await demo({ scenario: 'delete-and-restore', on_delete: 'no-action' })).body).toMatchObject({ outcome: 'done', conversations_after: [0, 1] });
    expect((await demo({ scenario: 'delete-and-restore', on_delete: 'restrict' })).body).toMatchObject({ outcome: 'refused', error: { sqlstate: '23001' } });
  });
});

describe('across shards it cannot', () => {
  it('refuses a sender who exists on another shard, and will not take a foreign table as the target', async () => {
    const r = await demo({ scenario: 'cross-shard' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const x = r.body.cross_shard!;
    expect(x.sender_shard).not.toBe(r.body.shard);
    expect(x).toMatchObject({ sender_visible_on_sender_shard: true, sender_visible_here: false });
    expect(r.body).toMatchObject({ outcome: 'refused', error: { sqlstate: '23503' } });
    expect(x.foreign_table?.error?.sqlstate).toBe('42809');
    // The demonstration leaves no foreign table, server or extension behind.
    const left = await t.call<{ results: { rows: string[][] }[] }>('POST', '/lab/v1/sql', {
      shard: r.body.shard,
      sql: "SELECT (SELECT count(*) FROM pg_foreign_server) + (SELECT count(*) FROM pg_extension WHERE extname = 'postgres_fdw')",
    });
    expect(left.body.results[0]!.rows).toEqual([['0']]);
  });

  it('records every run for the checks, and the reset drops the demo tables everywhere', async () => {
    const attempts = (await t.call<{ attempts: FkAttempt[] }>('GET', '/lab/v1/references/fk-demo')).body.attempts;
    expect(attempts.map((a) => `${a.scenario}/${a.on_delete ?? '-'}/${a.outcome}`)).toContain('cross-shard/-/refused');
    expect(attempts.filter((a) => a.scenario === 'delete-conversation')).toHaveLength(5);
    expect((await t.call('DELETE', '/lab/v1/references/fk-demo')).status).toBe(200);
    expect((await t.call<{ attempts: FkAttempt[] }>('GET', '/lab/v1/references/fk-demo')).body.attempts).toEqual([]);
  });

  it('answers bad input with a 400 and runs nothing', async () => {
    for (const body of [
      {},
      { scenario: 'drop-table' },
      { scenario: 'delete-conversation', on_delete: 'explode' },
      { scenario: 'cross-shard', on_delete: 'cascade' },
      { scenario: 'orphan-message', sql: 'DROP TABLE users' },
      { scenario: 'orphan-message', shard: 'shard-9' },
    ]) {
      const r = await t.call<ErrorReply>('POST', '/lab/v1/references/fk-demo', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
    }
    expect(
      (await t.call<ErrorReply>('POST', '/lab/v1/references/fk-demo', { scenario: 'cross-shard', sender_id: '00000000-0000-4000-8000-000000000000' })).status,
    ).toBe(422);
    expect((await t.call<{ attempts: FkAttempt[] }>('GET', '/lab/v1/references/fk-demo')).body.attempts).toEqual([]);
  });
});

describe('a conversation across shards, its map and the audit', () => {
  it('places every row by its key, and the outbox leaves no dangling reference after a delete', async () => {
    const s = (await t.call<SampleConversation>('POST', '/lab/v1/references/sample-conversation', { title: 'Analytical Engine', shards: 3 })).body;
    expect(s.member_shards).toHaveLength(3);
    const map = (await t.call<ConversationMap>('GET', `/lab/v1/references/conversations/${s.conversation_id}`)).body;
    expect(map.conversation).toMatchObject({ title: 'Analytical Engine', shard: s.conversation_shard });
    expect(map.members.map((m) => m.user_shard).sort()).toEqual(s.members.map((m) => m.shard).sort());
    expect(map.members.every((m) => m.member_shard === s.conversation_shard && m.user_exists && m.inbox_row && m.messages === 1)).toBe(true);

    const ada = s.members[0]!;
    expect((await t.call('DELETE', `/api/v1/users/${ada.user_id}`)).status).toBe(204);
    await drained();
    const after = (await t.call<ConversationMap>('GET', `/lab/v1/references/conversations/${s.conversation_id}`)).body;
    expect(after.members.map((m) => m.user_id)).not.toContain(ada.user_id);
    expect(after.messages).toMatchObject({ total: s.members.length, without_sender: 1 });
    expect((await t.call<ReferenceAudit>('GET', '/lab/v1/references/audit')).body.total_dangling).toBe(0);
  });

  it('finds a membership whose user is missing, naming where it looked', async () => {
    const conv = (await t.call<SampleConversation>('POST', '/lab/v1/references/sample-conversation', { shards: 1 })).body;
    const ghost = '00000000-0000-4000-8000-0000000000aa';
    const shard = conv.conversation_shard;
    const put = await t.call('POST', '/lab/v1/sql', {
      shard,
      sql: `INSERT INTO conversation_members (conversation_id, user_id, joined_at) VALUES ('${conv.conversation_id}', '${ghost}', now())`,
    });
    expect(put.status).toBe(200);
    const audit = (await t.call<ReferenceAudit>('GET', '/lab/v1/references/audit')).body;
    const members = audit.references.find((r) => r.reference.startsWith('conversation_members'))!;
    expect(members).toMatchObject({ dangling: 1, sample: [{ from_shard: shard, missing: ghost }] });
    expect(audit.unreachable).toEqual([]);
  });

  it('404s an unknown conversation and 400s a malformed id', async () => {
    expect((await t.call('GET', '/lab/v1/references/conversations/00000000-0000-4000-8000-000000000001')).status).toBe(404);
    expect((await t.call('GET', '/lab/v1/references/conversations/nope')).status).toBe(400);
    expect((await t.call('POST', '/lab/v1/references/sample-conversation', { shards: 9 })).status).toBe(400);
  });
});

describe('the fk commands (CLI front end of the same routes)', () => {
  it("prints the database error and a conversation's rows by shard; refuses an unknown scenario", async () => {
    const lab = (...args: string[]) => runCli(args, { LAB_URL: t.url });
    const orphan = await lab('fk', 'demo', 'delete-conversation', 'restrict', '--shard', 'shard-2');
    expect(orphan.code, orphan.out).toBe(0);
    expect(orphan.out).toMatch(/on shard-2, ON DELETE RESTRICT/);
    expect(orphan.out).toMatch(/SQLSTATE 23001/);
    const id = (await t.call<SampleConversation>('POST', '/lab/v1/references/sample-conversation', { title: 'Difference Engine', shards: 2 })).body
      .conversation_id;
    const map = await lab('fk', 'map', id);
    expect(map.out).toMatch(/^conversations +\| Difference Engine +\| shard-\d +\| id$/m);
    expect(map.out).toMatch(/^user_conversations +\| inbox of Ada Lovelace/m);
    const bad = await lab('fk', 'demo', 'drop-everything');
    expect(bad.code).not.toBe(0);
    expect(bad.out).toMatch(/SCENARIO must be one of/);
  });
});

describe('check-then-write against a concurrent delete', () => {
  it('leaves orphans on the naive path with the window widened, none on the messenger path under the same rounds', async () => {
    type Race = { created: number; refused: number; orphans: number; rounds: number };
    const naive = await t.call<Race>('POST', '/lab/v1/references/race', { mode: 'naive', rounds: 10, window_ms: 300 });
    expect(naive.status, JSON.stringify(naive.body)).toBe(200);
    // The delete is sent once the check has answered, so no naive round finds its user already gone.
    expect(naive.body).toMatchObject({ created: 10, refused: 0 });
    expect(naive.body.orphans).toBeGreaterThan(0);
    expect(naive.body.orphans).toBeLessThanOrEqual(naive.body.created);
    const audit = (await t.call<ReferenceAudit>('GET', '/lab/v1/references/audit')).body;
    expect(audit.references.find((r) => r.reference.startsWith('conversation_members'))!.dangling).toBeGreaterThanOrEqual(naive.body.orphans);

    const correct = await t.call<Race>('POST', '/lab/v1/references/race', { mode: 'correct', rounds: 10, window_ms: 300 });
    expect(correct.body).toMatchObject({ rounds: 10, orphans: 0 });
    expect(correct.body.created + correct.body.refused).toBe(10);
    const runs = (await t.call<{ runs: { mode: string; orphans: number }[] }>('GET', '/lab/v1/references/race')).body.runs;
    expect(runs.map((r) => r.mode)).toEqual(['naive', 'correct']);
    expect((await t.call<ErrorReply>('POST', '/lab/v1/references/race', { mode: 'naive', rounds: 500 })).status).toBe(400);
  });

  it("counts orphans only once the outbox has applied the run's own events, and names the shard that holds one back", async () => {
    const lab = t.running.lab;
    const d = { cluster: lab.cluster, router: lab.ring.router, messenger: lab.messenger };
    const user = randomUUID();
    const shard = new pg.Client({ connectionString: t.shardUrls[1] });
    await shard.connect();
    try {
      // An event of the run's that the processor may not take for an hour: what a failing shard's retries look like.
      await shard.query(
        `INSERT INTO outbox (topic, payload, available_at, last_error) VALUES ('user.deleted', $1, now() + interval '1 hour', 'the shard refused')`,
        [{ user_id: user, conversation_ids: [], usernames: [], emails: [] }],
      );
      const behind = await drain(d, [user], [], 300).catch((err: unknown) => err);
      expect(behind).toBeInstanceOf(UnavailableError);
      expect(behind).toMatchObject({ code: 'outbox_behind' });
      expect((behind as Error).message).toMatch(/shard-1 \(1, last error: the shard refused\)/);
      // Another user's pending event is not this run's: it is not waited for.
      await expect(drain(d, [randomUUID()], [], 300)).resolves.toBeGreaterThanOrEqual(0);
    } finally {
      await shard.query(`DELETE FROM outbox WHERE payload->>'user_id' = $1`, [user]);
      await shard.end();
    }
  });
});

describe('a username unique across shards', () => {
  it('lets exactly one of 50 simultaneous claims win, on the shard of the name', async () => {
    const r = await t.call<{ won: number; conflicts: number; failed: string[]; lookup_shard: string; winner: { user_id: string } | null }>(
      'POST',
      '/lab/v1/references/username-race',
      { username: 'Babbage', claims: 50 },
    );
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ won: 1, conflicts: 49, failed: [] });
    const rows = await t.call<{ results: { rows: string[][] }[] }>('POST', '/lab/v1/sql', {
      shard: r.body.lookup_shard,
      sql: "SELECT user_id, confirmed FROM username_lookup WHERE username = 'babbage'",
    });
    expect(rows.body.results[0]!.rows).toEqual([[r.body.winner!.user_id, 'true']]);
    expect((await t.call('POST', '/lab/v1/references/username-race', { username: 'no spaces', claims: 5 })).status).toBe(400);
  });

  it('records each race with when it ran, and picks a new name when none is given', async () => {
    const r = await t.call<UsernameRace>('POST', '/lab/v1/references/username-race', { claims: 5 });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ won: 1, conflicts: 4, failed: [] });
    expect(r.body.username).toMatch(/^race-/);
    const runs = (
      await t.call<{ runs: { username: string; won: number; started_at: string; finished_at: string }[] }>('GET', '/lab/v1/references/username-race')
    ).body.runs;
    const run = runs.find((x) => x.username === r.body.username)!;
    expect(run).toMatchObject({ won: 1, started_at: r.body.started_at, finished_at: r.body.finished_at });
    expect(Date.parse(run.finished_at)).toBeGreaterThanOrEqual(Date.parse(run.started_at));
  });
});

describe('claim, create, confirm — and a crash in between', () => {
  const walk = (body: object) => t.call<ClaimWalkthrough>('POST', '/lab/v1/references/claim-walkthrough', body);
  const steps = (w: ClaimWalkthrough) => w.steps.map((s) => `${s.step}:${s.outcome}`);

  it('without a crash: pending, then an account, then confirmed; a second claim is refused', async () => {
    const r = await walk({ crash: 'none', username: 'Lovelace' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(steps(r.body)).toEqual(['claim:done', 'create:done', 'confirm:done', 'second-claim:refused']);
    const [claim, create, confirm] = r.body.steps;
    expect(claim!.state).toMatchObject({ lookup: { holder: 'first', confirmed: false }, accounts: [] });
    expect(create!.state.accounts).toEqual([{ shard: r.body.first.user_shard, holder: 'first', account_id: r.body.first.account_id }]);
    expect(confirm!.state.lookup).toMatchObject({ holder: 'first', confirmed: true, account_id: r.body.first.account_id });
    expect(r.body.steps[3]!.error).toMatch(/already taken/);
    expect(r.body).toMatchObject({ holder: 'first', accounts_with_name: 1, settled: true });

    // Who holds the name, read from the shards: the confirmed lookup row and the one account, each on its shard.
    const n = await t.call<NameHolders>('GET', '/lab/v1/references/names/LOVELACE');
    expect(n.body).toEqual({
      username: 'lovelace',
      lookup_shard: r.body.lookup_shard,
      lookup: { account_id: r.body.first.account_id, user_id: r.body.first.user_id, confirmed: true, age_ms: expect.any(Number) },
      accounts: [{ shard: r.body.first.user_shard, account_id: r.body.first.account_id, user_id: r.body.first.user_id }],
    });
    const cli = await runCli(['fk', 'name', 'lovelace'], { LAB_URL: t.url });
    expect(cli.out).toMatch(new RegExp(`^username_lookup +\\| confirmed +\\| ${r.body.first.user_id} +\\| ${r.body.lookup_shard}`, 'm'));
    const nobody = await t.call<ErrorReply>('GET', '/lab/v1/references/names/nobody-yet');
    expect(nobody.status).toBe(404);
    expect(nobody.body.error.message).toMatch(/^Nobody holds or claims the username 'nobody-yet'; a claim for it would be written on shard-\d\.$/);
    expect((await t.call('GET', '/lab/v1/references/names/a%20b')).status).toBe(400);
  });

  it('dead after the claim: the name waits out the TTL, then the next claimant fences the dead account and takes it', async () => {
    const r = await walk({ crash: 'after-claim' });
    expect(steps(r.body)).toEqual(['claim:done', 'crash:crashed', 'second-claim:refused', 'expire:aged', 'second-claim-again:done', 'late-create:refused']);
    const byStep = Object.fromEntries(r.body.steps.map((s) => [s.step, s.state]));
    expect(byStep.crash).toMatchObject({ lookup: { holder: 'first', confirmed: false }, accounts: [], first_fenced: false });
    expect(byStep.expire!.lookup!.age_ms).toBeGreaterThan(30_000);
    expect(byStep['second-claim-again']).toMatchObject({ lookup: { holder: 'second', confirmed: true }, first_fenced: true });
    expect(r.body.steps.at(-1)!.error).toMatch(/declared abandoned/);
    expect(byStep['late-create']!.accounts.map((a) => a.holder)).toEqual(['second']);
    expect(r.body).toMatchObject({ holder: 'second', accounts_with_name: 1, settled: true });
  });

  it('dead after the create: the next claimant finds the account and confirms it for its owner', async () => {
    const r = await walk({ crash: 'after-create' });
    expect(steps(r.body)).toEqual(['claim:done', 'create:done', 'crash:crashed', 'second-claim:refused', 'expire:aged', 'second-claim-again:refused']);
    expect(r.body.steps[2]!.state).toMatchObject({ lookup: { holder: 'first', confirmed: false }, accounts: [{ holder: 'first' }] });
    expect(r.body.steps.at(-1)!.state).toMatchObject({ lookup: { holder: 'first', confirmed: true }, first_fenced: false });
    expect(r.body).toMatchObject({ holder: 'first', accounts_with_name: 1, settled: true, second: { account_id: null } });
    const runs = (await t.call<{ runs: { crash: string; settled: boolean }[] }>('GET', '/lab/v1/references/claim-walkthrough')).body.runs;
    expect(runs.map((x) => `${x.crash}:${x.settled}`)).toEqual(['none:true', 'after-claim:true', 'after-create:true']);
  });

  it('prints the steps in the terminal command, and refuses an unknown crash point with a 400', async () => {
    const out = await runCli(['fk', 'claim', '--crash', 'after-claim'], { LAB_URL: t.url });
    expect(out.code, out.out).toBe(0);
    expect(out.out).toMatch(/^late-create +\| The first request wakes up/m);
    expect(out.out).toMatch(/Settled: “claim-[0-9a-z]+” belongs to the second user/);
    const bad = await walk({ crash: 'during-lunch' });
    expect(bad.status).toBe(400);
    expect((bad.body as unknown as ErrorReply).error.message).toMatch(/crash must be one of none, after-claim, after-create/);
    expect((await walk({ username: 'a b' })).status).toBe(400);
  });
});

describe('the outbox panel and the constraint explorer', () => {
  it("shows a deleted user's event delivered, with its lag, once the cleanup ran; the CLI prints the same", async () => {
    const sample = (await t.call<SampleConversation>('POST', '/lab/v1/references/sample-conversation', { title: 'Outbox view', shards: 2 })).body;
    const member = sample.members[0]!;
    expect((await t.call('DELETE', `/api/v1/users/${member.user_id}`)).status).toBe(204);
    await drained();
    const reply = await t.call<OutboxView>('GET', '/lab/v1/references/outbox');
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    const view = reply.body;
    expect(view.shards.map((s) => s.reachable)).toEqual([true, true, true]);
    expect(view.shards.reduce((n, s) => n + s.pending, 0)).toBe(0);
    const event = view.events.find((e) => e.topic === 'user.deleted' && e.subject === member.user_id);
    expect(event, JSON.stringify(view.events)).toMatchObject({ state: 'delivered', attempts: 1, shard: member.shard });
    expect(event!.delivered_at! >= event!.created_at).toBe(true);
    expect(view.shards.find((s) => s.shard === member.shard)!.delivered).toBeGreaterThan(0);
    const cli = await runCli(['fk', 'outbox'], { LAB_URL: t.url });
    expect(cli.code, cli.out).toBe(0);
    expect(cli.out).toMatch(new RegExp(`^${member.shard} +\\| \\d+ +\\| user\\.deleted +\\| ${member.user_id} +\\| delivered`, 'm'));
  });

  it('refuses the shard-kill drill on servers it does not run, before writing anything', async () => {
    const before = (await t.call<{ total_users: number }>('GET', '/api/v1/shards/stats')).body.total_users;
    const r = await t.call<ErrorReply>('POST', '/lab/v1/references/outbox-drill');
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('not_embedded');
    expect((await t.call<{ total_users: number }>('GET', '/api/v1/shards/stats')).body.total_users).toBe(before);
  });

  it("lists each shard's foreign keys with their actions from pg_constraint, and what keeps each cross-shard reference", async () => {
    const map = (await t.call<ConstraintMap>('GET', '/lab/v1/references/constraints')).body;
    const fk = (table: string, name: string) => map.constraints.find((c) => c.table === table && c.name === name);
    expect(fk('messages', 'messages_sender_fkey')).toMatchObject({
      type: 'foreign key',
      columns: ['conversation_id', 'sender_id'],
      references: { table: 'conversation_members', columns: ['conversation_id', 'user_id'] },
      on_delete: 'set null',
      shards: ['shard-0', 'shard-1', 'shard-2'],
    });
    expect(map.constraints.filter((c) => c.table === 'conversation_members' && c.type === 'foreign key').map((c) => c.on_delete)).toEqual(['cascade']);
    expect(new Set(map.cross_shard.map((x) => x.kept_by))).toEqual(new Set(['application', 'events', 'lookup table', 'copy', 'database']));

    // A constraint dropped on one shard (a half-applied migration) shows on the others only.
    const sql = async (text: string) => {
      const db = new pg.Client(t.shardUrls[1]);
      await db.connect();
      try {
        await db.query(text);
      } finally {
        await db.end();
      }
    };
    await sql('ALTER TABLE messages DROP CONSTRAINT messages_sender_fkey');
    const drifted = (await t.call<ConstraintMap>('GET', '/lab/v1/references/constraints')).body;
    expect(drifted.constraints.find((c) => c.name === 'messages_sender_fkey')!.shards).toEqual(['shard-0', 'shard-2']);
    const cli = await runCli(['fk', 'constraints'], { LAB_URL: t.url });
    expect(cli.code, cli.out).toBe(0);
    expect(cli.out).toMatch(/^messages +\| messages_sender_fkey +\| foreign key .*\| set null .*\| shard-0, shard-2$/m);
    expect(cli.out).toMatch(/^conversation_members\.user_id → users\.id +\| application +\| POST \/lab\/v1\/references\/race$/m);
    await sql(`ALTER TABLE messages ADD CONSTRAINT messages_sender_fkey ${fk('messages', 'messages_sender_fkey')!.definition}`);
    expect(
      (await t.call<ConstraintMap>('GET', '/lab/v1/references/constraints')).body.constraints.find((c) => c.name === 'messages_sender_fkey')!.shards,
    ).toHaveLength(3);
  });
});

describe("the chapter's claims, measured on the cluster", () => {
  it('holds each strategy to the consistency the original claims: refused at once, orphaned by a naive check, repaired by events', async () => {
    const verdicts: Record<string, string> = {};
    for (const id of ['co-location-strong', 'application-eventual', 'events-eventual']) {
      const r = await t.call<{ measured: string; verdict: string; why: string }>('POST', `/lab/v1/chapters/foreign-keys/claims/${id}/measure`, {});
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      verdicts[id] = r.body.verdict;
      if (id === 'co-location-strong') expect(r.body.measured).toMatch(/refused by PostgreSQL \(SQLSTATE 23503/);
      if (id === 'application-eventual') expect(r.body.measured).toMatch(/the messenger's locked path left 0 in 10\.$/);
      if (id === 'events-eventual') expect(r.body.measured).toMatch(/went \d+ ms after the user .*afterwards 0 member row\(s\) of the conversation dangled\.$/);
    }
    expect(verdicts).toEqual({ 'co-location-strong': 'holds', 'application-eventual': 'holds', 'events-eventual': 'holds' });
  });
});

describe('the cleanup exercise', () => {
  interface Verdict {
    passed: boolean;
    message: string;
  }
  const exercise = '/lab/v1/chapters/foreign-keys/exercises/cleanup';

  it("judges the conversation's own Ada: a namesake elsewhere stays, and an Ada renamed by other traffic sends the solve to a fresh sample", async () => {
    for (const shard of ['shard-0', 'shard-1', 'shard-2']) {
      expect((await t.call('POST', '/lab/v1/sql', { shard, sql: "DELETE FROM conversations WHERE title = 'Analytical Engine'" })).status).toBe(200);
    }
    const stranger = (await t.call<{ id: string }>('POST', '/api/v1/users', { first_name: 'Ada', last_name: 'Lovelace' })).body.id;
    const first = (await t.call<SampleConversation>('POST', '/lab/v1/references/sample-conversation', { title: 'Analytical Engine', shards: 3 })).body;
    // What a load test's updates do to an existing user: her family name changes, so she is no longer the Ada the exercise names.
    expect((await t.call('PUT', `/api/v1/users/${first.members[0]!.user_id}`, { last_name: 'Byron' })).status).toBe(200);
    const before = (await t.call<Verdict>('POST', `${exercise}/check`, {})).body;
    expect(before).toMatchObject({ passed: false, message: expect.stringMatching(/No message in “Analytical Engine” has lost its sender yet/) });

    const solved = await t.call<Verdict & { steps: { status: string }[] }>('POST', `${exercise}/solve`);
    expect(solved.status, JSON.stringify(solved.body)).toBe(200);
    expect(solved.body.steps.map((s) => s.status)).toEqual(['done', 'done']);
    expect((await t.call<Verdict>('POST', `${exercise}/check`, {})).body.passed).toBe(true);
    expect((await t.call('GET', `/api/v1/users/${stranger}`)).status).toBe(200);
    expect((await t.call('GET', `/api/v1/users/${first.members[0]!.user_id}`)).status).toBe(200);
  });
});
