import { z } from 'zod';
import { get, post, request } from './api.js';
import { arg, noArgs, positionals, wholeNumber } from './args.js';
import { CommandError, defineCommand } from './command.js';
import { formatTable, ms } from './format.js';
import {
  AppRequestsReportSchema as AppRequests,
  DriftReportSchema as Drift,
  DrillLockSchema as Lock,
  DrillRunReportSchema as RunReport,
  RenameReportSchema as Rename,
} from '../contracts/migration-drill.js';

// The other shapes these commands read from /lab/v1/migration-drill, trimmed to what is printed.
const Status = z.object({
  migrations: z.array(z.string()),
  shards: z.array(
    z.object({
      shard: z.string(),
      error: z.string().nullable(),
      cells: z.array(z.object({ migration: z.string(), state: z.string() })),
      faults: z.array(z.string()),
      lock: Lock,
    }),
  ),
});
const ShardLock = z.array(z.object({ shard: z.string(), lock: Lock }));
const Crash = z.object({
  verdict: z.string(),
  during: ShardLock,
  after: ShardLock,
  killed: z.array(z.object({ shard: z.string(), pid: z.number(), migration: z.string().nullable() })),
});
const Probe = z.object({ sql: z.string(), shards: z.array(z.object({ shard: z.string(), ok: z.boolean(), error: z.string().nullable(), ms: z.number() })) });

const MODES = ['advisory', 'faithful'] as const;
const ACTIONS = ['up', 'down', 'latest'] as const;
const rowLock = (l: z.output<typeof Lock>) => (l.row_locked === null ? '-' : l.row_locked ? 'LOCKED' : 'free');
const advisory = (l: z.output<typeof Lock>) => (l.advisory_pid === null ? 'free' : `pid ${l.advisory_pid}`);

function statusText(s: z.output<typeof Status>): string {
  const short = (m: string) => m.replace(/^(\d+)_.*/, '$1');
  return formatTable(
    ['shard', ...s.migrations.map(short), 'lock row', 'advisory', 'faults'],
    s.shards.map((x) =>
      x.error ? [x.shard, x.error] : [x.shard, ...x.cells.map((c) => c.state), rowLock(x.lock), advisory(x.lock), x.faults.map(short).join(',') || '-'],
    ),
  );
}

function runText(r: z.output<typeof RunReport>): string {
  const rows = r.shards.map((s) => [
    s.shard,
    s.ran.map((m) => `${m.migration} (${ms(m.ms)})`).join(', ') || 'nothing',
    s.failed ? `FAILED ${s.failed.message}` : (s.skipped ?? `ok, ${ms(s.ms)}`),
  ]);
  return `${r.action} with the ${r.mode} runner, ${ms(r.ms)}:\n${formatTable(['shard', 'ran', 'outcome'], rows)}`;
}

export const status = defineCommand({
  name: 'migrate drill',
  usage: 'migrate drill',
  summary: "the Migrations chapter's drill: each drill migration per shard, both locks, faults",
  args: noArgs,
  async run(_a, ctx) {
    const s = await get(ctx.lab, '/lab/v1/migration-drill', Status);
    return { data: s, text: statusText(s) };
  },
});

export const run = defineCommand({
  name: 'migrate drill run',
  usage: 'migrate drill run up|down|latest [--mode advisory|faithful] [--pause S]',
  summary:
    "run the drill set on every shard with the lab's runner or the original's; prints what ran, how long, why a shard stopped (--pause: slow motion, seconds per migration)",
  flags: { mode: 'string', pause: 'string' },
  args: z.object({
    _: positionals([z.enum(ACTIONS, { error: 'ACTION must be up, down or latest' })]),
    mode: z.enum(MODES).default('advisory'),
    pause: wholeNumber('--pause').optional(),
  }),
  complete: (index) => (index === 0 ? [...ACTIONS] : []),
  async run({ _: [action], mode, pause }, ctx) {
    const r = await post(ctx.lab, '/lab/v1/migration-drill/run', RunReport, { action, mode, ...(pause === undefined ? {} : { pause_s: pause }) });
    if (!r.ok) throw new CommandError(`${runText(r)}\nA shard stopped: fix the cause (\`migrate drill clear\` removes injected faults), then run it again.`);
    return { data: r, text: runText(r) };
  },
});

export const fault = defineCommand({
  name: 'migrate drill fault',
  usage: 'migrate drill fault SHARD MIGRATION',
  summary: 'make one drill migration fail on one shard until the faults are cleared',
  args: z.object({ _: positionals([arg('SHARD'), arg('MIGRATION')]) }),
  complete: (index, _before, source) => (index === 0 ? source.shards() : []),
  async run({ _: [shard, migration] }, ctx) {
    const s = await post(ctx.lab, '/lab/v1/migration-drill/faults', Status, { shard, migration });
    return { data: s, text: `${migration} will fail on ${shard}.\n${statusText(s)}` };
  },
});

export const clear = defineCommand({
  name: 'migrate drill clear',
  usage: 'migrate drill clear',
  summary: 'remove every injected drill fault (the fix before resuming)',
  args: noArgs,
  async run(_a, ctx) {
    const r = (await request(ctx.lab, 'DELETE', '/lab/v1/migration-drill/faults', z.object({ removed: z.number() }))).body;
    return { data: r, text: `Removed ${r.removed} fault(s).` };
  },
});

export const crash = defineCommand({
  name: 'migrate drill crash',
  usage: 'migrate drill crash advisory|faithful',
  summary: 'start `up` with that runner, kill its sessions inside the migration, show both locks during and after',
  args: z.object({ _: positionals([z.enum(MODES, { error: 'MODE must be advisory or faithful' })]) }),
  complete: (index) => (index === 0 ? [...MODES] : []),
  async run({ _: [mode] }, ctx) {
    const c = await post(ctx.lab, '/lab/v1/migration-drill/crash', Crash, { mode });
    const rows = c.during.map((d, i) => {
      const after = c.after[i]?.lock;
      return [d.shard, `${rowLock(d.lock)} / ${advisory(d.lock)}`, after ? `${rowLock(after)} / ${advisory(after)}` : '-'];
    });
    return { data: c, text: `${formatTable(['shard', 'during: row / advisory', 'after: row / advisory'], rows)}\n${c.verdict}` };
  },
});

export const unlock = defineCommand({
  name: 'migrate drill unlock',
  usage: 'migrate drill unlock',
  summary: "free the original's lock row on every shard: UPDATE migration_lock SET locked = false WHERE id = 1",
  args: noArgs,
  async run(_a, ctx) {
    const r = await post(ctx.lab, '/lab/v1/migration-drill/unlock', z.object({ freed: z.array(z.string()) }));
    return { data: r, text: r.freed.length ? `Freed the lock row on ${r.freed.join(', ')}.` : 'No lock row was set.' };
  },
});

export const probe = defineCommand({
  name: 'migrate drill probe',
  usage: 'migrate drill probe',
  summary: "try the new app version's write on every shard (rolled back): it fails where the schema lags",
  args: noArgs,
  async run(_a, ctx) {
    const p = await post(ctx.lab, '/lab/v1/migration-drill/probe', Probe);
    return {
      data: p,
      text: formatTable(
        ['shard', 'outcome'],
        p.shards.map((s) => [s.shard, s.ok ? `ok, ${ms(s.ms)}` : (s.error ?? 'failed')]),
      ),
    };
  },
});

export const reset = defineCommand({
  name: 'migrate drill reset',
  usage: 'migrate drill reset',
  summary: 'drop the drill schema (lab_drill) on every shard',
  args: noArgs,
  async run(_a, ctx) {
    await request(ctx.lab, 'DELETE', '/lab/v1/migration-drill', z.object({ reset: z.literal(true) }));
    return { data: { reset: true }, text: 'The drill schema is gone from every shard.' };
  },
});

const LockQueue = z.object({
  alter: z.object({ attempts: z.number(), waited_ms: z.number(), timeouts: z.number() }),
  reads: z.object({ count: z.number(), stalled: z.number(), max_ms: z.number(), p99_ms: z.number() }),
  lock_view: z.array(z.object({ pid: z.number(), role: z.string(), waiting_for: z.array(z.number()), query: z.string() })),
  verdict: z.string(),
  under_load: z.object({ run_id: z.string(), from_s: z.number(), to_s: z.number() }).optional(),
});

export const queue = defineCommand({
  name: 'migrate drill queue',
  usage: 'migrate drill queue SHARD [--hold-ms N] [--lock-timeout-ms N] [--under-load]',
  summary: 'on one shard: a long transaction, an ALTER TABLE users queued behind it, reads queued behind the ALTER (rolled back)',
  flags: { 'hold-ms': 'string', 'lock-timeout-ms': 'string', 'under-load': 'boolean' },
  args: z.object({
    _: positionals([arg('SHARD')]),
    'hold-ms': wholeNumber('--hold-ms').optional(),
    'lock-timeout-ms': wholeNumber('--lock-timeout-ms').optional(),
    'under-load': z.boolean().default(false),
  }),
  complete: (index, _before, source) => (index === 0 ? source.shards() : []),
  async run({ _: [shard], 'hold-ms': hold, 'lock-timeout-ms': timeout, 'under-load': underLoad }, ctx) {
    const body = {
      shard,
      under_load: underLoad,
      ...(hold === undefined ? {} : { hold_ms: hold }),
      ...(timeout === undefined ? {} : { lock_timeout_ms: timeout }),
    };
    const r = await post(ctx.lab, '/lab/v1/migration-drill/lock-queue', LockQueue, body);
    const view = formatTable(
      ['pid', 'role', 'waiting for', 'query'],
      r.lock_view.map((v) => [v.pid, v.role, v.waiting_for.join(', ') || '-', v.query]),
    );
    const reads = `reads: ${r.reads.count}, stalled ${r.reads.stalled}, longest ${ms(r.reads.max_ms)}, p99 ${ms(r.reads.p99_ms)}`;
    const load = r.under_load ? `\ninside load test ${r.under_load.run_id}, seconds ${r.under_load.from_s}–${r.under_load.to_s} of its run` : '';
    return { data: r, text: `${view}\n${reads}\n${r.verdict}${load}` };
  },
});

const CHANGES = ['create-index', 'create-index-concurrently', 'add-column-default', 'add-column-rewrite'] as const;
const Ddl = z.object({
  sql: z.string(),
  ddl_ms: z.number(),
  rewrote: z.boolean(),
  lock_mode: z.string().nullable(),
  writes: z.object({ count: z.number(), usual_ms: z.number(), during: z.number(), blocked: z.number(), longest_ms: z.number() }),
  verdict: z.string(),
});

export const ddl = defineCommand({
  name: 'migrate drill ddl',
  usage: 'migrate drill ddl CHANGE SHARD [--rows N]',
  summary: `one schema change (${CHANGES.join(', ')}) on a probe table while inserts stream in: how long writes were blocked`,
  flags: { rows: 'string' },
  args: z.object({
    _: positionals([z.enum(CHANGES, { error: `CHANGE must be one of ${CHANGES.join(', ')}` }), arg('SHARD')]),
    rows: wholeNumber('--rows').optional(),
  }),
  complete: (index, _before, source) => (index === 0 ? [...CHANGES] : index === 1 ? source.shards() : []),
  async run({ _: [change, shard], rows }, ctx) {
    const r = await post(ctx.lab, '/lab/v1/migration-drill/ddl', Ddl, { shard, change, ...(rows === undefined ? {} : { rows }) });
    const table = formatTable(
      ['change took', 'rewrote', 'lock', 'inserts', 'during', 'blocked ≥100 ms', 'longest insert', 'usual insert'],
      [
        [
          ms(r.ddl_ms),
          r.rewrote ? 'yes' : 'no',
          r.lock_mode ?? '-',
          r.writes.count,
          r.writes.during,
          r.writes.blocked,
          ms(r.writes.longest_ms),
          ms(r.writes.usual_ms),
        ],
      ],
    );
    return { data: r, text: `${r.sql}\n${table}\n${r.verdict}` };
  },
});

export const drift = defineCommand({
  name: 'migrate drift',
  usage: 'migrate drift [--introduce] [--shard SHARD]',
  summary: "compare every shard's messenger schema and applied migrations; --introduce changes one shard by hand first (an index no migration made)",
  flags: { introduce: 'boolean', shard: 'string' },
  args: noArgs.extend({ introduce: z.boolean().default(false), shard: z.string().min(1).optional() }),
  async run({ introduce, shard }, ctx) {
    if (introduce) await post(ctx.lab, '/lab/v1/migration-drill/drift', z.object({ introduced: z.literal(true) }), shard ? { shard } : {});
    const r = await get(ctx.lab, '/lab/v1/migration-drill/drift', Drift);
    const table = r.differences.length
      ? `\n${formatTable(
          ['shard', 'problem', 'kind', 'name', 'found'],
          r.differences.map((d) => [d.shard, d.problem, d.kind, d.name, d.found ?? '-']),
        )}`
      : '';
    return { data: r, text: `${r.verdict}${table}` };
  },
});

const requestsText = (r: z.output<typeof AppRequests>) =>
  `${formatTable(
    ['shard', 'request', 'status', 'outcome'],
    r.requests.map((q) => [q.shard, `${q.method} ${q.path}`, q.status, q.ok ? `ok, ${ms(q.ms)}` : (q.error ?? 'failed')]),
  )}\n${r.verdict}`;

export const requests = defineCommand({
  name: 'migrate drill requests',
  usage: 'migrate drill requests [--app-version N]',
  summary: "send the new app version's own requests (POST/GET /api/v1/users/:id/notes) for a user on every shard: they fail where the schema lags",
  flags: { 'app-version': 'string' },
  args: noArgs.extend({ 'app-version': wholeNumber('--app-version', 1).optional() }),
  async run({ 'app-version': version }, ctx) {
    const r = await post(ctx.lab, '/lab/v1/migration-drill/requests', AppRequests, version === undefined ? {} : { app_version: version });
    return { data: r, text: requestsText(r) };
  },
});

const RENAMES = ['expand-contract', 'one-step'] as const;

export const rename = defineCommand({
  name: 'migrate drill rename',
  usage: 'migrate drill rename expand-contract|one-step',
  summary: 'rename a notes column on every shard while the notes API is in use: in one step, or by expand and contract; counts failed requests per step',
  args: z.object({ _: positionals([z.enum(RENAMES, { error: 'MODE must be expand-contract or one-step' })]) }),
  complete: (index) => (index === 0 ? [...RENAMES] : []),
  async run({ _: [mode] }, ctx) {
    const r = await post(ctx.lab, '/lab/v1/migration-drill/rename', Rename, { mode });
    const table = formatTable(
      ['step', 'app version', 'requests', 'failed', 'what changed'],
      r.steps.map((x) => [x.step, x.app_version, x.requests, x.failed, x.did]),
    );
    const errors = [...new Set(r.steps.flatMap((x) => x.errors))].slice(0, 2);
    return { data: r, text: `${table}\n${r.verdict}${errors.length ? `\n${errors.join('\n')}` : ''}` };
  },
});
