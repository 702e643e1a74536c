import { z } from 'zod';
import { get, post, seg } from './api.js';
import { arg, noArgs, positionals, wholeNumber } from './args.js';
import { defineCommand } from './command.js';
import { formatTable } from './format.js';

// The Foreign-keys chapter's commands: the same /lab/v1/references routes as the page's buttons.

const SCENARIOS = ['orphan-message', 'delete-conversation', 'delete-and-restore', 'cross-shard'] as const;
const ACTIONS = ['no-action', 'restrict', 'cascade', 'set-null', 'set-default'] as const;

const DbError = z.object({ sqlstate: z.string(), message: z.string(), detail: z.string().nullable(), constraint: z.string().nullable() });
const FkDemoReply = z.object({
  scenario: z.string(),
  on_delete: z.string().nullable(),
  shard: z.string(),
  attempted: z.array(z.string()),
  outcome: z.enum(['refused', 'done']),
  error: DbError.nullable(),
  conversations_after: z.array(z.number()),
  messages_after: z.array(z.object({ id: z.number(), conversation_id: z.number().nullable() })),
  cross_shard: z
    .object({
      sender_id: z.string(),
      sender_shard: z.string(),
      sender_visible_on_sender_shard: z.boolean(),
      sender_visible_here: z.boolean(),
      foreign_table: z.object({ error: DbError.nullable() }).nullable(),
    })
    .nullable(),
});
const SampleReply = z.object({
  conversation_id: z.string(),
  conversation_shard: z.string(),
  members: z.array(z.object({ user_id: z.string(), name: z.string(), shard: z.string() })),
});
const MapReply = z.object({
  conversation: z.object({ id: z.string(), title: z.string(), shard: z.string() }),
  members: z.array(
    z.object({
      user_id: z.string(),
      user_shard: z.string(),
      user_exists: z.boolean(),
      name: z.string().nullable(),
      inbox_row: z.boolean(),
      messages: z.number(),
      usernames: z.array(z.object({ username: z.string(), lookup_shard: z.string() })),
    }),
  ),
  messages: z.object({ shard: z.string(), total: z.number(), without_sender: z.number() }),
});
const AuditReply = z.object({
  references: z.array(
    z.object({
      reference: z.string(),
      checked: z.number(),
      dangling: z.number(),
      sample: z.array(z.object({ from_shard: z.string(), row: z.string(), missing: z.string(), expected_on: z.string() })),
    }),
  ),
  total_dangling: z.number(),
  unreachable: z.array(z.string()),
});

export const demo = defineCommand({
  name: 'fk demo',
  usage: `fk demo ${SCENARIOS.join('|')} [${ACTIONS.join('|')}] [--shard NAME]`,
  summary: "run one of the lab's fixed foreign-key demonstrations and print PostgreSQL's own answer",
  flags: { shard: 'string' },
  args: noArgs.extend({
    _: positionals([
      z.enum(SCENARIOS, { error: `SCENARIO must be one of ${SCENARIOS.join(', ')}` }),
      z.enum(ACTIONS, { error: `ACTION must be one of ${ACTIONS.join(', ')}` }).optional(),
    ]),
    shard: z.string().optional(),
  }),
  async run({ _: [scenario, action], shard }, ctx) {
    const body = scenario === 'cross-shard' ? { scenario } : { scenario, ...(action ? { on_delete: action } : {}), ...(shard ? { shard } : {}) };
    const r = await post(ctx.lab, '/lab/v1/references/fk-demo', FkDemoReply, body);
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
    const r = await post(ctx.lab, '/lab/v1/references/sample-conversation', SampleReply, title ? { title, shards: 3 } : { shards: 3 });
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
    const m = await get(ctx.lab, `/lab/v1/references/conversations/${seg(id)}`, MapReply);
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
    const a = await get(ctx.lab, '/lab/v1/references/audit', AuditReply);
    const table = formatTable(
      ['reference', 'checked', 'dangling'],
      a.references.map((r) => [r.reference, r.checked, r.dangling]),
    );
    const samples = a.references.flatMap((r) => r.sample.map((s) => `  ${s.row} on ${s.from_shard} → ${s.missing}, not on ${s.expected_on}`));
    const incomplete = a.unreachable.length > 0 ? ctx.style.yellow(`\nIncomplete: ${a.unreachable.join(', ')} did not answer.`) : '';
    const verdict = a.total_dangling === 0 ? ctx.style.green('No dangling references.') : ctx.style.red(`${a.total_dangling} dangling:`);
    return { data: a, text: `${table}\n${verdict}${samples.length ? `\n${samples.join('\n')}` : ''}${incomplete}` };
  },
});

const RaceReply = z.object({
  mode: z.string(),
  rounds: z.number(),
  window_ms: z.number(),
  created: z.number(),
  refused: z.number(),
  orphans: z.number(),
  drain_ms: z.number(),
});

export const race = defineCommand({
  name: 'fk race',
  usage: 'fk race naive|correct [--rounds N] [--window MS]',
  summary: 'check-then-write against a concurrent delete, N rounds at once: orphans left on the naive path and on the messenger path',
  flags: { rounds: 'string', window: 'string' },
  args: noArgs.extend({
    _: positionals([z.enum(['naive', 'correct'], { error: 'MODE must be naive or correct' })]),
    rounds: wholeNumber('--rounds', 1).optional(),
    window: wholeNumber('--window').optional(),
  }),
  async run({ _: [mode], rounds, window }, ctx) {
    const body = { mode, ...(rounds === undefined ? {} : { rounds }), ...(window === undefined ? {} : { window_ms: window }) };
    const r = await post(ctx.lab, '/lab/v1/references/race', RaceReply, body);
    const orphans = r.orphans > 0 ? ctx.style.red(`${r.orphans} orphan(s)`) : ctx.style.green('0 orphans');
    const how = r.mode === 'naive' ? `naive, ${r.window_ms} ms window` : 'the messenger path';
    return { data: r, text: `${r.rounds} rounds (${how}): ${r.created} written, ${r.refused} refused, ${orphans}; the outbox drained in ${r.drain_ms} ms.` };
  },
});

const UsernameRaceReply = z.object({
  username: z.string(),
  lookup_shard: z.string(),
  claims: z.number(),
  won: z.number(),
  conflicts: z.number(),
  failed: z.array(z.string()),
  winner: z.object({ user_id: z.string(), user_shard: z.string() }).nullable(),
});

export const usernameRace = defineCommand({
  name: 'fk username-race',
  usage: 'fk username-race USERNAME [--claims N]',
  summary: 'N new users claim one username at once; the lookup table on the name’s shard lets exactly one in',
  flags: { claims: 'string' },
  args: noArgs.extend({ _: positionals([arg('USERNAME')]), claims: wholeNumber('--claims', 2).optional() }),
  async run({ _: [username], claims }, ctx) {
    const r = await post(ctx.lab, '/lab/v1/references/username-race', UsernameRaceReply, { username, ...(claims === undefined ? {} : { claims }) });
    const winner = r.winner ? `the winner ${r.winner.user_id} lives on ${r.winner.user_shard}` : 'nobody won';
    const failed = r.failed.length > 0 ? ctx.style.red(`\n${r.failed.length} failed: ${r.failed[0]}`) : '';
    return {
      data: r,
      text: `${r.claims} claims for “${r.username}”, all on ${ctx.style.bold(r.lookup_shard)} (the name's shard): ${ctx.style.green(`${r.won} won`)}, ${r.conflicts} answered 409; ${winner}.${failed}`,
    };
  },
});

const OutboxReply = z.object({
  shards: z.array(
    z.object({
      shard: z.string(),
      reachable: z.boolean(),
      pending: z.number(),
      retrying: z.number(),
      delivered: z.number(),
      max_lag_ms: z.number().nullable(),
      error: z.string().nullable(),
    }),
  ),
  events: z.array(
    z.object({
      shard: z.string(),
      id: z.string(),
      topic: z.string(),
      subject: z.string().nullable(),
      state: z.string(),
      attempts: z.number(),
      age_ms: z.number(),
      last_error: z.string().nullable(),
    }),
  ),
  kept: z.number(),
});

/** The events the terminal lists: every waiting one, and the newest delivered. */
const OUTBOX_LINES = 10;

export const outbox = defineCommand({
  name: 'fk outbox',
  usage: 'fk outbox',
  summary: 'the outbox per shard, from the shards: events pending, retrying and delivered, and how long each took',
  args: noArgs,
  async run(_args, ctx) {
    const o = await get(ctx.lab, '/lab/v1/references/outbox', OutboxReply);
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

const DrillReply = z.object({
  user_shard: z.string(),
  conversation_shard: z.string(),
  while_down: z.object({ attempts: z.number(), last_error: z.string().nullable() }),
  attempts: z.number(),
  lag_ms: z.number().nullable(),
  orphans: z.number(),
  steps: z.array(z.object({ at_ms: z.number(), what: z.string() })),
});

export const outboxDrill = defineCommand({
  name: 'fk outbox-drill',
  usage: 'fk outbox-drill',
  summary: "kill a conversation's shard during a deleted member's cleanup; the event waits and is delivered when the shard is back",
  args: noArgs,
  async run(_args, ctx) {
    const r = await post(ctx.lab, '/lab/v1/references/outbox-drill', DrillReply, {});
    const steps = r.steps.map((s) => `${String(s.at_ms).padStart(6)} ms  ${s.what}`);
    const orphans = r.orphans === 0 ? ctx.style.green('0 orphans: nothing lost') : ctx.style.red(`${r.orphans} orphan(s)`);
    return {
      data: r,
      text: `${steps.join('\n')}\nThe event failed ${r.while_down.attempts} time(s) while ${r.conversation_shard} was down, was delivered after ${r.attempts} attempt(s), ${r.lag_ms} ms after the delete; ${orphans}.`,
    };
  },
});

const ConstraintsReply = z.object({
  constraints: z.array(
    z.object({
      table: z.string(),
      name: z.string(),
      type: z.string(),
      columns: z.array(z.string()),
      references: z.object({ table: z.string(), columns: z.array(z.string()) }).nullable(),
      on_delete: z.string().nullable(),
      on_update: z.string().nullable(),
      deferrable: z.boolean(),
      shards: z.array(z.string()),
    }),
  ),
  cross_shard: z.array(z.object({ reference: z.string(), kept_by: z.string(), how: z.string(), break_it: z.object({ path: z.string() }) })),
  unreachable: z.array(z.string()),
});

export const constraints = defineCommand({
  name: 'fk constraints',
  usage: 'fk constraints [--all]',
  summary:
    "the shards' catalogs (pg_constraint): foreign keys with their actions (--all: unique, primary key and check too), and what keeps each cross-shard reference",
  flags: { all: 'boolean' },
  args: noArgs.extend({ all: z.boolean().optional() }),
  async run({ all }, ctx) {
    const c = await get(ctx.lab, '/lab/v1/references/constraints', ConstraintsReply);
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
    const incomplete = c.unreachable.length > 0 ? ctx.style.yellow(`\nIncomplete: ${c.unreachable.join(', ')} did not answer.`) : '';
    return { data: c, text: `${catalog}\n\n${cross}${incomplete}` };
  },
});
