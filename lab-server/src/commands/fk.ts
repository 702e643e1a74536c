import { z } from 'zod';
import { get, post, seg } from './api.js';
import { arg, noArgs, positionals, wholeNumber } from './args.js';
import { defineCommand } from './command.js';
import { formatTable } from './format.js';
import {
  CLAIM_CRASHES,
  ClaimWalkthroughSchema,
  ConstraintMapSchema,
  ConversationMapSchema,
  FK_ACTIONS,
  FK_SCENARIOS,
  FkDemoResultSchema,
  NameHoldersSchema,
  OutboxDrillSchema,
  OutboxViewSchema,
  RACE_MODES,
  RaceResultSchema,
  ReferenceAuditSchema,
  SampleConversationSchema,
  UsernameRaceSchema,
} from '../contracts/references.js';

// The Foreign-keys chapter's commands: the same /lab/v1/references routes as the page's buttons.

export const demo = defineCommand({
  name: 'fk demo',
  usage: `fk demo ${FK_SCENARIOS.join('|')} [${FK_ACTIONS.join('|')}] [--shard NAME]`,
  summary: "run one of the lab's fixed foreign-key demonstrations and print PostgreSQL's own answer",
  flags: { shard: 'string' },
  args: noArgs.extend({
    _: positionals([
      z.enum(FK_SCENARIOS, { error: `SCENARIO must be one of ${FK_SCENARIOS.join(', ')}` }),
      z.enum(FK_ACTIONS, { error: `ACTION must be one of ${FK_ACTIONS.join(', ')}` }).optional(),
    ]),
    shard: z.string().optional(),
  }),
  async run({ _: [scenario, action], shard }, ctx) {
    const body = scenario === 'cross-shard' ? { scenario } : { scenario, ...(action ? { on_delete: action } : {}), ...(shard ? { shard } : {}) };
    const r = await post(ctx.lab, '/lab/v1/references/fk-demo', FkDemoResultSchema, body);
    const lines = [
      `${ctx.style.dim(`-- on ${r.shard}${r.on_delete ? `, ON DELETE ${r.on_delete.toUpperCase().replace('-', ' ')}` : ''}`)}`,
      ...r.attempted.map((s) => `${s};`),
    ];
    lines.push(
      r.error
        ? ctx.style.red(`ERROR:  ${r.error.message}\nSQLSTATE ${r.error.sqlstate}${r.error.detail ? `\nDETAIL:  ${r.error.detail}` : ''}`)
        : ctx.style.green('went through'),
    );
    const x = r.cross_shard;
    if (x) {
      lines.push(
        `The sender ${x.sender_id} lives on ${ctx.style.bold(x.sender_shard)} (${x.sender_visible_on_sender_shard ? 'row found there' : 'no row there'}); on ${r.shard}: ${x.sender_visible_here ? 'row visible' : 'no row visible'}.`,
      );
      const ft = x.foreign_table?.error;
      if (ft) lines.push(`A foreign key onto a postgres_fdw foreign table: ${ctx.style.red(ft.message)} (SQLSTATE ${ft.sqlstate}); rolled back.`);
    } else {
      lines.push(`conversations after: ${r.conversations_after.join(', ') || 'none'}`);
      lines.push(
        formatTable(
          ['message', 'conversation_id'],
          r.messages_after.map((m) => [m.id, m.conversation_id ?? 'NULL']),
        ),
      );
    }
    return { data: r, text: lines.join('\n') };
  },
});

export const sample = defineCommand({
  name: 'fk sample',
  usage: 'fk sample [TITLE]',
  summary: 'a conversation whose members live on three shards, with a message from each',
  args: noArgs.extend({ _: positionals([arg('TITLE').optional()]) }),
  async run({ _: [title] }, ctx) {
    const r = await post(ctx.lab, '/lab/v1/references/sample-conversation', SampleConversationSchema, title ? { title, shards: 3 } : { shards: 3 });
    const rows = r.members.map((m) => [m.name, m.user_id, m.shard]);
    return {
      data: r,
      text: `conversation ${r.conversation_id} on ${ctx.style.bold(r.conversation_shard)} (with its members' rows and messages)\n${formatTable(['member', 'user id', "user's shard"], rows)}\nNext: fk map ${r.conversation_id}`,
    };
  },
});

export const map = defineCommand({
  name: 'fk map',
  usage: 'fk map CONVERSATION_ID',
  summary: "one conversation's rows on every shard, read from the shards, with the key that placed each",
  args: noArgs.extend({ _: positionals([arg('CONVERSATION_ID')]) }),
  async run({ _: [id] }, ctx) {
    const m = await get(ctx.lab, `/lab/v1/references/conversations/${seg(id)}`, ConversationMapSchema);
    const rows: unknown[][] = [
      ['conversations', m.conversation.title, m.conversation.shard, 'id'],
      ['conversation_members', `${m.members.length} rows`, m.conversation.shard, 'conversation_id'],
      ['messages', `${m.messages.total} rows (${m.messages.without_sender} without sender)`, m.messages.shard, 'conversation_id'],
    ];
    for (const u of m.members) {
      rows.push([u.user_exists ? 'users' : 'users (MISSING)', u.name ?? u.user_id, u.user_shard, 'id']);
      if (u.inbox_row) rows.push(['user_conversations', `inbox of ${u.name ?? u.user_id}`, u.user_shard, 'user_id']);
      for (const n of u.usernames) rows.push(['username_lookup', n.username, n.lookup_shard, 'the name']);
    }
    return { data: m, text: formatTable(['table', 'row', 'shard', 'routed by'], rows) };
  },
});

export const audit = defineCommand({
  name: 'fk audit',
  usage: 'fk audit',
  summary: 'follow every cross-shard reference to its target and count the dangling ones',
  args: noArgs,
  async run(_args, ctx) {
    const a = await get(ctx.lab, '/lab/v1/references/audit', ReferenceAuditSchema);
    const verdict = a.total_dangling === 0 ? ctx.style.green('No dangling references.') : ctx.style.red(`${a.total_dangling} dangling:`);
    const lines = [
      formatTable(
        ['reference', 'checked', 'dangling'],
        a.references.map((r) => [r.reference, r.checked, r.dangling]),
      ),
      verdict,
      ...a.references.flatMap((r) => r.sample.map((s) => `  ${s.row} on ${s.from_shard} → ${s.missing}, not on ${s.expected_on}`)),
      incomplete(ctx, a.unreachable),
    ];
    return { data: a, text: lines.filter((l) => l !== '').join('\n') };
  },
});

/** The warning under a reading that some shards did not answer. */
const incomplete = (ctx: { style: { yellow(s: string): string } }, unreachable: readonly string[]) =>
  unreachable.length > 0 ? ctx.style.yellow(`Incomplete: ${unreachable.join(', ')} did not answer.`) : '';

export const race = defineCommand({
  name: 'fk race',
  usage: 'fk race naive|correct [--rounds N] [--window MS]',
  summary: 'check-then-write against a concurrent delete, N rounds at once: orphans left on the naive path and on the messenger path',
  flags: { rounds: 'string', window: 'string' },
  args: noArgs.extend({
    _: positionals([z.enum(RACE_MODES, { error: 'MODE must be naive or correct' })]),
    rounds: wholeNumber('--rounds', 1).optional(),
    window: wholeNumber('--window').optional(),
  }),
  async run({ _: [mode], rounds, window }, ctx) {
    const body = { mode, ...(rounds === undefined ? {} : { rounds }), ...(window === undefined ? {} : { window_ms: window }) };
    const r = await post(ctx.lab, '/lab/v1/references/race', RaceResultSchema, body);
    const orphans = r.orphans > 0 ? ctx.style.red(`${r.orphans} orphan(s)`) : ctx.style.green('0 orphans');
    const how = r.mode === 'naive' ? `naive, ${r.window_ms} ms window` : 'the messenger path';
    return { data: r, text: `${r.rounds} rounds (${how}): ${r.created} written, ${r.refused} refused, ${orphans}; the outbox drained in ${r.drain_ms} ms.` };
  },
});

export const usernameRace = defineCommand({
  name: 'fk username-race',
  usage: 'fk username-race [USERNAME] [--claims N]',
  summary: 'N new users claim one username at once; the lookup table on the name’s shard lets exactly one in',
  flags: { claims: 'string' },
  args: noArgs.extend({ _: positionals([arg('USERNAME').optional()]), claims: wholeNumber('--claims', 2).optional() }),
  async run({ _: [username], claims }, ctx) {
    const body = { ...(username === undefined ? {} : { username }), ...(claims === undefined ? {} : { claims }) };
    const r = await post(ctx.lab, '/lab/v1/references/username-race', UsernameRaceSchema, body);
    const winner = r.winner ? `the winner ${r.winner.user_id} lives on ${r.winner.user_shard}` : 'nobody won';
    const failed = r.failed.length > 0 ? ctx.style.red(`\n${r.failed.length} failed: ${r.failed[0]}`) : '';
    return {
      data: r,
      text: `${r.claims} claims for “${r.username}”, all on ${ctx.style.bold(r.lookup_shard)} (the name's shard): ${ctx.style.green(`${r.won} won`)}, ${r.conflicts} answered 409; ${winner}.${failed}`,
    };
  },
});

const WHO = { first: 'the first sign-up', second: 'the second user', other: 'someone else' } as const;

export const claim = defineCommand({
  name: 'fk claim',
  usage: `fk claim [USERNAME] [--crash ${CLAIM_CRASHES.join('|')}]`,
  summary: 'the username protocol step by step: claim, create, confirm, or a crash in between, and how the next claimant settles it',
  flags: { crash: 'string' },
  args: noArgs.extend({
    _: positionals([arg('USERNAME').optional()]),
    crash: z.enum(CLAIM_CRASHES, { error: `--crash must be one of ${CLAIM_CRASHES.join(', ')}` }).optional(),
  }),
  async run({ _: [username], crash }, ctx) {
    const body = { ...(username === undefined ? {} : { username }), ...(crash === undefined ? {} : { crash }) };
    const r = await post(ctx.lab, '/lab/v1/references/claim-walkthrough', ClaimWalkthroughSchema, body);
    const rows = r.steps.map((s) => {
      const l = s.state.lookup;
      const lookup = l ? `${WHO[l.holder]}, ${l.confirmed ? 'confirmed' : 'pending'}, ${Math.round(l.age_ms / 1000)} s old` : 'none';
      const accounts = s.state.accounts.map((a) => `${WHO[a.holder]} on ${a.shard}`).join(', ') || 'none';
      const what = s.error ? `${s.what}\n  ${ctx.style.red(s.error)}` : s.what;
      return [s.step, what, lookup, accounts, s.state.first_fenced ? 'yes' : ''];
    });
    const verdict = r.settled
      ? ctx.style.green(`Settled: “${r.username}” belongs to ${r.holder ? WHO[r.holder] : 'nobody'}, one account on every shard together.`)
      : ctx.style.red(`Not settled: ${r.accounts_with_name} account(s) carry “${r.username}”.`);
    return {
      data: r,
      text: `“${r.username}” is claimed on ${ctx.style.bold(r.lookup_shard)} (the name's shard); the first user lives on ${r.first.user_shard}, the second on ${r.second.user_shard}.\n${formatTable(['step', 'what happened', `lookup row (${r.lookup_shard})`, 'accounts with the name', 'first fenced'], rows)}\n${verdict}`,
    };
  },
});

export const name = defineCommand({
  name: 'fk name',
  usage: 'fk name USERNAME',
  summary: "who holds a username: its lookup row on the name's shard and every account carrying it, read from the shards",
  args: noArgs.extend({ _: positionals([arg('USERNAME')]) }),
  async run({ _: [username] }, ctx) {
    const n = await get(ctx.lab, `/lab/v1/references/names/${seg(username)}`, NameHoldersSchema);
    const rows: unknown[][] = [];
    if (n.lookup) rows.push(['username_lookup', n.lookup.confirmed ? 'confirmed' : 'pending', n.lookup.user_id, n.lookup_shard, 'the name']);
    for (const a of n.accounts) rows.push(['accounts', a.account_id, a.user_id, a.shard, 'user_id']);
    return { data: n, text: formatTable(['table', 'row', 'user', 'shard', 'routed by'], rows) };
  },
});

/** The events the terminal lists: every waiting one, and the newest delivered. */
const OUTBOX_LINES = 10;

export const outbox = defineCommand({
  name: 'fk outbox',
  usage: 'fk outbox',
  summary: 'the outbox per shard, from the shards: events pending, retrying and delivered, and how long each took',
  args: noArgs,
  async run(_args, ctx) {
    const o = await get(ctx.lab, '/lab/v1/references/outbox', OutboxViewSchema);
    const shards = formatTable(
      ['shard', 'pending', 'retrying', `delivered (newest ${o.kept} kept)`, 'slowest delivery'],
      o.shards.map((s) =>
        s.reachable
          ? [s.shard, s.pending, s.retrying, s.delivered, s.max_lag_ms === null ? '—' : `${s.max_lag_ms} ms`]
          : [s.shard, ctx.style.red('down'), '', '', ''],
      ),
    );
    const events = formatTable(
      ['shard', 'event', 'topic', 'about', 'state', 'attempts', 'age / lag', 'last error'],
      o.events.slice(0, OUTBOX_LINES).map((e) => [e.shard, e.id, e.topic, e.subject ?? '', e.state, e.attempts, `${e.age_ms} ms`, e.last_error ?? '']),
    );
    return { data: o, text: `${shards}\n${o.events.length === 0 ? 'No events yet.' : events}` };
  },
});

export const outboxDrill = defineCommand({
  name: 'fk outbox-drill',
  usage: 'fk outbox-drill',
  summary: "kill a conversation's shard during a deleted member's cleanup; the event waits and is delivered when the shard is back",
  args: noArgs,
  async run(_args, ctx) {
    const r = await post(ctx.lab, '/lab/v1/references/outbox-drill', OutboxDrillSchema, {});
    const steps = r.steps.map((s) => `${String(s.at_ms).padStart(6)} ms  ${s.what}`);
    const orphans = r.orphans === 0 ? ctx.style.green('0 orphans: nothing lost') : ctx.style.red(`${r.orphans} orphan(s)`);
    return {
      data: r,
      text: `${steps.join('\n')}\nThe event failed ${r.while_down.attempts} time(s) while ${r.conversation_shard} was down, was delivered after ${r.attempts} attempt(s), ${r.lag_ms} ms after the delete; ${orphans}.`,
    };
  },
});

export const constraints = defineCommand({
  name: 'fk constraints',
  usage: 'fk constraints [--all]',
  summary:
    "the shards' catalogs (pg_constraint): foreign keys with their actions (--all: unique, primary key and check too), and what keeps each cross-shard reference",
  flags: { all: 'boolean' },
  args: noArgs.extend({ all: z.boolean().optional() }),
  async run({ all }, ctx) {
    const c = await get(ctx.lab, '/lab/v1/references/constraints', ConstraintMapSchema);
    const shown = c.constraints.filter((k) => all || k.type === 'foreign key');
    const total = new Set(c.constraints.flatMap((k) => k.shards)).size;
    const catalog = formatTable(
      ['table', 'constraint', 'type', 'columns', 'references', 'on delete', 'on update', 'deferrable', 'shards'],
      shown.map((k) => [
        k.table,
        k.name,
        k.type,
        k.columns.join(', '),
        k.references ? `${k.references.table} (${k.references.columns.join(', ')})` : '',
        k.on_delete ?? '',
        k.on_update ?? '',
        k.deferrable ? 'yes' : '',
        k.shards.length === total ? `all ${total}` : ctx.style.yellow(k.shards.join(', ')),
      ]),
    );
    const cross = formatTable(
      ['cross-shard reference', 'kept by', 'break it'],
      c.cross_shard.map((x) => [x.reference, x.kept_by, `POST ${x.break_it.path}`]),
    );
    const missing = incomplete(ctx, c.unreachable);
    return { data: c, text: `${catalog}\n\n${cross}${missing ? `\n${missing}` : ''}` };
  },
});
