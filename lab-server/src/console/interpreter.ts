import { setTimeout as sleep } from 'node:timers/promises';
import { formatTable } from '../cli/output.js';
import { errorMessage, isMissingRoute, type SelfClient, type SelfReply } from '../http/self-client.js';
import type { JobView } from '../jobs/registry.js';
import type { Lab } from '../lab/lab.js';
import type { ShardStats } from '../messenger/users/service.js';
import type { PlacementReport } from '../placement/audit.js';
import type { Route } from '../sharding/router.js';
import type { RingView } from '../sharding/ring-view.js';
import { describeTableSql, LIST_TABLES_SQL, SQL_MODE_HELP } from './psql-meta.js';
import { findShard, SqlError, SqlSession, type ExplainMode, type SqlRun } from './sql.js';

/** Where a command writes. Lines end in `\n`; the terminal turns them into its own line endings. */
export interface ConsoleOutput {
  write(text: string): void;
}

export interface Completion {
  /** Where the word being completed starts in the line. */
  from: number;
  options: string[];
}

const esc = (code: string) => (s: string | number) => `\x1b[${code}m${s}\x1b[0m`;
const bold = esc('1');
const dim = esc('2');
const red = esc('31');
const green = esc('32');
const yellow = esc('33');
const cyan = esc('36');

const fmt = (n: number): string => n.toLocaleString('en-US');
const pct = (f: number): string => `${(f * 100).toFixed(2)} %`;

/** A command's failure the learner caused or can fix: printed in red, no stack. */
class CommandError extends Error {}

interface Command {
  usage: string;
  summary: string;
  run(args: string[], rest: string, out: ConsoleOutput, signal: AbortSignal): Promise<void>;
}

const MIGRATE_ACTIONS = ['status', 'up', 'down', 'latest'];
const SHARD_ACTIONS = ['add', 'remove', 'kill', 'start', 'pause', 'resume', 'replica', 'promote'];

/**
 * The browser terminal's command interpreter — never a host shell. Commands mirror the CLI and call the
 * lab's own HTTP API, so they do exactly what the buttons do; `sql` talks to one shard under a statement
 * timeout. One session per terminal connection.
 */
export class ConsoleSession {
  private sql: { session: SqlSession; buffer: string } | null = null;
  private running: AbortController | null = null;
  private scenarios: string[] | null = null;
  private readonly commands: Record<string, Command>;

  constructor(
    private readonly lab: Lab,
    private readonly api: SelfClient,
  ) {
    this.commands = {
      help: { usage: 'help [command]', summary: 'what each command does', run: (a, _r, o) => this.help(a[0], o) },
      shards: { usage: 'shards', summary: 'the shards: status, port, share of the ring', run: (_a, _r, o) => this.shards(o) },
      stats: { usage: 'stats', summary: 'users per shard, and orphans (rows the ring routes elsewhere)', run: (_a, _r, o) => this.stats(o) },
      ring: { usage: 'ring [shards [vnodes]]', summary: 'the ring in force (or a hypothetical one): shares, and what moves at N+1', run: (a, _r, o) => this.ring(a, o) },
      route: { usage: 'route <user-id>', summary: 'which shard owns a key, and why', run: (a, _r, o) => this.route(a, o) },
      user: { usage: 'user create <first> <last> | user get <id>', summary: 'create or read a user through the messenger API', run: (a, _r, o) => this.user(a, o) },
      seed: { usage: 'seed <users>', summary: 'load generated users (Ctrl-C cancels and keeps nothing)', run: (a, _r, o, s) => this.seed(a, o, s) },
      migrate: { usage: 'migrate status|up|down|latest', summary: 'schema migrations on every shard', run: (a, _r, o) => this.migrate(a, o) },
      jobs: { usage: 'jobs', summary: 'recent long-running jobs', run: (_a, _r, o) => this.jobs(o) },
      loadtest: {
        usage: 'loadtest [<scenario> [seconds] | cancel <id>]',
        summary: 'run a load test and follow it (Ctrl-C cancels); alone: scenarios and recent runs',
        run: (a, _r, o, s) => this.loadtest(a, o, s),
      },
      shard: {
        usage: 'shard add faithful|rebalance | shard remove|kill|start|pause|resume|replica|promote <name>',
        summary: 'change the cluster: add or remove a shard, stop or start one, add a replica or promote it',
        run: (a, _r, o, s) => this.shard(a, o, s),
      },
      sql: { usage: 'sql <shard> [statement]', summary: 'SQL on one shard; without a statement, stay in SQL mode (\\q leaves)', run: (a, r, o) => this.sqlCommand(a, r, o) },
      explain: {
        usage: 'explain [analyze] <shard> <statement>',
        summary: "the shard's query plan (analyze runs it, inside a rolled-back transaction)",
        run: (a, r, o) => this.explain(a, r, o),
      },
      clear: { usage: 'clear', summary: 'clear the screen', run: async (_a, _r, o) => o.write('\x1b[2J\x1b[3J\x1b[H') },
    };
  }

  get prompt(): string {
    if (!this.sql) return `${cyan('lab')}> `;
    return `${cyan(this.sql.session.shard.name)}${this.sql.buffer ? '-' : '='}> `;
  }

  banner(): string {
    return `${bold('Shard Lab terminal')} — commands act on the live cluster. ${dim('Type help; Tab completes; ↑/↓ history.')}\n`;
  }

  /** Runs one line. Never throws: failures are printed. */
  async run(line: string, out: ConsoleOutput): Promise<void> {
    const controller = new AbortController();
    this.running = controller;
    try {
      if (this.sql) await this.sqlLine(line, out);
      else await this.command(line, out, controller.signal);
    } catch (err) {
      if (err instanceof CommandError || err instanceof SqlError) out.write(`${red(err.message)}\n`);
      else if (controller.signal.aborted) out.write(`${yellow('Interrupted.')}\n`);
      else out.write(`${red(`Error: ${err instanceof Error ? err.message : String(err)}`)}\n`);
    } finally {
      this.running = null;
    }
  }

  /** Ctrl-C: stops the running command (and cancels the job or load test it follows); in SQL mode, drops the typed statement. */
  interrupt(): void {
    if (this.running) this.running.abort();
    else if (this.sql) this.sql.buffer = '';
  }

  async complete(line: string): Promise<Completion> {
    const from = line.search(/\S*$/);
    const word = line.slice(from);
    const before = line.slice(0, from).trim().split(/\s+/).filter(Boolean);
    const match = (options: string[]) => ({ from, options: options.filter((o) => o.startsWith(word)) });
    if (this.sql) return match(word.startsWith('\\') ? ['\\dt', '\\d', '\\q', '\\?'] : []);
    const shards = this.lab.cluster.shards.map((s) => s.name);
    if (before.length === 0) return match(Object.keys(this.commands));
    const [cmd, sub] = before;
    if (before.length === 1) {
      if (cmd === 'migrate') return match(MIGRATE_ACTIONS);
      if (cmd === 'shard') return match(SHARD_ACTIONS);
      if (cmd === 'user') return match(['create', 'get']);
      if (cmd === 'help') return match(Object.keys(this.commands));
      if (cmd === 'sql') return match(shards);
      if (cmd === 'explain') return match(['analyze', ...shards]);
      if (cmd === 'loadtest') return match([...(await this.scenarioNames()), 'cancel']);
    }
    if (before.length === 2) {
      if (cmd === 'shard' && sub === 'add') return match(['faithful', 'rebalance']);
      if (cmd === 'shard' && sub !== 'add') return match(shards);
      if (cmd === 'explain' && sub === 'analyze') return match(shards);
    }
    return { from, options: [] };
  }

  async close(): Promise<void> {
    this.running?.abort();
    await this.sql?.session.close();
    this.sql = null;
  }

  private async command(line: string, out: ConsoleOutput, signal: AbortSignal): Promise<void> {
    const trimmed = line.trim();
    if (!trimmed) return;
    const name = trimmed.split(/\s+/)[0]!;
    const rest = trimmed.slice(name.length).trim();
    const command = this.commands[name];
    if (!command) throw new CommandError(`Unknown command '${name}'. Type help for the list (this is the lab's console, not a shell).`);
    await command.run(rest ? rest.split(/\s+/) : [], rest, out, signal);
  }

  private async help(topic: string | undefined, out: ConsoleOutput): Promise<void> {
    if (topic) {
      const c = this.commands[topic];
      if (!c) throw new CommandError(`No command '${topic}'.`);
      out.write(`${bold(c.usage)}\n  ${c.summary}\n`);
      return;
    }
    const width = Math.max(...Object.values(this.commands).map((c) => c.usage.length));
    for (const c of Object.values(this.commands)) out.write(`  ${bold(c.usage.padEnd(width))}  ${dim(c.summary)}\n`);
  }

  private async get<T>(path: string): Promise<T> {
    return this.ok<T>(await this.api.call<T>('GET', path), `GET ${path}`);
  }

  private ok<T>(reply: SelfReply<T>, what: string): T {
    if (isMissingRoute(reply)) throw new CommandError(`${what} is not available in this build.`);
    if (reply.status >= 400) throw new CommandError(errorMessage(reply));
    return reply.body;
  }

  private async shards(out: ConsoleOutput): Promise<void> {
    const topo = this.lab.topology();
    const shares = new Map(topo.ring.shares.map((s, i) => [this.lab.router.names[i], s]));
    const status = (s: string) => (s === 'up' ? green(s) : s === 'down' ? red(s) : yellow(s));
    out.write(
      `${formatTable(
        ['shard', 'status', 'port', 'pid', 'ring share'],
        topo.shards.map((s) => [s.name, s.status, portOf(s.url), s.pid ?? '-', shares.has(s.name) ? pct(shares.get(s.name)!) : 'not in ring']),
      ).replace(/\b(up|down|starting|paused)\b/g, status)}\n`,
    );
    out.write(dim(`ring version ${topo.ring.version}, ${topo.ring.strategy}${topo.ring.vnodes ? `, ${topo.ring.vnodes} vnodes per shard` : ''}\n`));
  }

  private async stats(out: ConsoleOutput): Promise<void> {
    const [stats, placement] = await Promise.all([this.get<ShardStats>('/api/v1/shards/stats'), this.get<PlacementReport>('/lab/v1/placement')]);
    const misplaced = new Map(placement.shards.map((s) => [s.shard_name, s.misplaced]));
    const total = stats.total_users || 1;
    out.write(
      `${formatTable(
        ['shard', 'users', 'share', 'orphans'],
        stats.shards.map((s) => [s.shard_name, s.user_count === null ? 'n/a' : fmt(s.user_count), s.user_count === null ? 'down' : pct(s.user_count / total), fmt(misplaced.get(s.shard_name) ?? 0)]),
      )}\n`,
    );
    out.write(`${dim(`total ${fmt(stats.total_users)} users; ${fmt(placement.total_misplaced)} rows sit on a shard the ring does not send their key to`)}\n`);
  }

  private async ring(args: string[], out: ConsoleOutput): Promise<void> {
    const [n, v] = args;
    const q = new URLSearchParams();
    if (n) q.set('shards', n);
    if (v) q.set('vnodes', v);
    const view = await this.get<RingView>(`/lab/v1/ring${q.size ? `?${q}` : ''}`);
    out.write(`${bold(view.strategy)}, ${view.shards.length} shards${view.vnodes ? `, ${view.vnodes} vnodes each` : ''}${n ? dim(' (hypothetical)') : ''}\n`);
    out.write(`${formatTable(['shard', 'share of the hash space'], view.shards.map((s, i) => [s, pct(view.shares[i] ?? 0)]))}\n`);
    const c = view.change;
    if (c) {
      out.write(`Going to ${c.to_shards} shards moves ${bold(pct(c.moved_fraction))} of the keys `);
      out.write(dim(`(ring ${pct(c.ring_moved_fraction)}, modulo ${pct(c.modulo_moved_fraction)}, ideal ${pct(c.ideal_fraction)})\n`));
    }
  }

  private async route(args: string[], out: ConsoleOutput): Promise<void> {
    if (!args[0]) throw new CommandError('usage: route <user-id>');
    const r = await this.get<Route>(`/lab/v1/route?key=${encodeURIComponent(args[0])}`);
    out.write(`${formatTable(['key', 'hash', 'hash (hex)', 'vnode', 'shard'], [[r.normalized_key, r.hash, `0x${r.hash.toString(16).padStart(8, '0')}`, r.vnode ?? '-', r.shard_name]])}\n`);
    out.write(dim(r.vnode ? `md5 of the key, first 4 bytes → ${fmt(r.hash)}; the first virtual node clockwise from there is ${r.vnode}.\n` : `hash ${fmt(r.hash)} modulo the shard count.\n`));
  }

  private async user(args: string[], out: ConsoleOutput): Promise<void> {
    const [sub, a, b] = args;
    let reply: SelfReply<{ id?: string; first_name?: string; last_name?: string }>;
    if (sub === 'create' && a && b) reply = await this.api.call('POST', '/api/v1/users', { first_name: a, last_name: b });
    else if (sub === 'get' && a) reply = await this.api.call('GET', `/api/v1/users/${encodeURIComponent(a)}`);
    else throw new CommandError('usage: user create <first> <last> | user get <id>');
    if (reply.status >= 400) throw new CommandError(`${reply.status}: ${errorMessage(reply)}`);
    const u = reply.body;
    const shard = sub === 'create' ? this.lab.router.route(u.id!).shard_name : null;
    out.write(`${green(String(reply.status))} ${u.id} ${u.first_name} ${u.last_name}${shard ? ` → stored on ${bold(shard)}` : ''}\n`);
  }

  private async seed(args: string[], out: ConsoleOutput, signal: AbortSignal): Promise<void> {
    const users = Number(args[0]);
    if (!Number.isInteger(users) || users < 1) throw new CommandError('usage: seed <users>   (e.g. seed 20000)');
    const { job_id } = this.ok(await this.api.call<{ job_id: string }>('POST', '/lab/v1/seed', { users }), 'POST /lab/v1/seed');
    const job = await this.follow(job_id, `Seeding ${fmt(users)} users`, out, signal);
    const r = job.result as { seconds?: number; rows_per_s?: number } | undefined;
    out.write(`${green('Done:')} ${fmt(users)} users in ${r?.seconds ?? '?'} s (${fmt(r?.rows_per_s ?? 0)} rows/s). Type ${bold('stats')} to see where they went.\n`);
  }

  /** Follows a job with a one-line progress display; an interrupt asks the lab to cancel it. */
  private async follow(id: string, title: string, out: ConsoleOutput, signal: AbortSignal): Promise<JobView> {
    let cancelled = false;
    for (;;) {
      if (signal.aborted && !cancelled) {
        cancelled = true;
        await this.api.call('POST', `/lab/v1/jobs/${id}/cancel`);
      }
      const job = await this.get<JobView & { phase?: string }>(`/lab/v1/jobs/${id}`);
      const { done, total } = job.progress;
      const phase = job.phase ? ` ${job.phase}` : '';
      out.write(`\r\x1b[K${title}: ${job.state}${phase} ${total > 0 ? `${Math.floor((100 * done) / total)} %` : ''}`);
      if (!['queued', 'running'].includes(job.state)) {
        out.write('\n');
        if (job.state === 'succeeded') return job;
        throw new CommandError(job.state === 'cancelled' ? `Cancelled; the lab kept nothing of it.` : `Failed: ${job.error?.message ?? 'unknown error'}`);
      }
      await sleep(250);
    }
  }

  private async migrate(args: string[], out: ConsoleOutput): Promise<void> {
    const action = args[0] ?? 'status';
    if (!MIGRATE_ACTIONS.includes(action)) throw new CommandError('usage: migrate status|up|down|latest');
    if (action !== 'status') {
      const reply = await this.api.call<{ shards: { shard: string; ran: string[] }[] }>('POST', `/lab/v1/migrations/${action}`);
      if (reply.status >= 400) throw new CommandError(errorMessage(reply));
      const ran = reply.body.shards.flatMap((s) => s.ran.map((m) => `  ${s.shard}: ${action === 'down' ? 'rolled back' : 'applied'} ${m}`));
      out.write(ran.length ? `${ran.join('\n')}\n` : `${action === 'down' ? 'Nothing to roll back.' : 'Every shard is up to date.'}\n`);
    }
    const status = await this.get<{ shards: { shard: string; applied: { name: string }[]; pending: string[]; error?: string | null }[] }>('/lab/v1/migrations');
    out.write(
      `${formatTable(
        ['shard', 'applied', 'pending', 'last applied'],
        status.shards.map((s) => [s.shard, s.applied.length, s.pending.length, s.applied.at(-1)?.name ?? '-']),
      )}\n`,
    );
  }

  private async jobs(out: ConsoleOutput): Promise<void> {
    const { jobs } = await this.get<{ jobs: JobView[] }>('/lab/v1/jobs');
    if (jobs.length === 0) return out.write('No jobs yet.\n');
    out.write(`${formatTable(['id', 'kind', 'state', 'progress', 'created'], jobs.slice(0, 15).map((j) => [j.id.slice(0, 8), j.kind, j.state, `${j.progress.done}/${j.progress.total}`, j.created_at]))}\n`);
  }

  private async scenarioNames(): Promise<string[]> {
    if (this.scenarios) return this.scenarios;
    const reply = await this.api.call<unknown>('GET', '/lab/v1/loadtests/scenarios');
    const list = reply.status === 200 ? scenarioList(reply.body) : [];
    if (reply.status === 200) this.scenarios = list;
    return list;
  }

  private async loadtest(args: string[], out: ConsoleOutput, signal: AbortSignal): Promise<void> {
    const [first, second] = args;
    if (first === 'cancel') {
      if (!second) throw new CommandError('usage: loadtest cancel <id>');
      this.ok(await this.api.call('POST', `/lab/v1/loadtests/${encodeURIComponent(second)}/cancel`), 'POST /lab/v1/loadtests/:id/cancel');
      return out.write('Cancel requested.\n');
    }
    if (!first) {
      const runs = await this.get<unknown>('/lab/v1/loadtests');
      const names = await this.scenarioNames();
      if (names.length) out.write(`Scenarios: ${names.join(', ')}\n`);
      const list = (Array.isArray(runs) ? runs : ((runs as { runs?: unknown[] }).runs ?? [])) as LoadTestRun[];
      if (list.length === 0) return out.write('No runs yet. Start one: loadtest <scenario> [seconds]\n');
      out.write(`${formatTable(['id', 'scenario', 'state', 'req/s', 'p95 ms', 'errors'], list.slice(0, 10).map(runRow))}\n`);
      return;
    }
    const body: Record<string, unknown> = { scenario: first };
    if (second) {
      const seconds = Number(second);
      if (!Number.isInteger(seconds) || seconds < 1) throw new CommandError('seconds must be a positive integer');
      body.duration_s = seconds;
    }
    const { id } = this.ok(await this.api.call<{ id: string }>('POST', '/lab/v1/loadtests', body), 'POST /lab/v1/loadtests');
    out.write(`Load test ${bold(id)} started (${first}). Ctrl-C cancels it.\n`);
    let cancelled = false;
    for (;;) {
      if (signal.aborted && !cancelled) {
        cancelled = true;
        await this.api.call('POST', `/lab/v1/loadtests/${encodeURIComponent(id)}/cancel`);
      }
      const run = await this.get<LoadTestRun>(`/lab/v1/loadtests/${encodeURIComponent(id)}`);
      const p = run.progress as { requests?: number; elapsed_s?: number } | undefined;
      out.write(`\r\x1b[K${run.state}${p?.elapsed_s !== undefined ? ` ${p.elapsed_s} s` : ''}${p?.requests !== undefined ? `, ${fmt(p.requests)} requests` : ''}`);
      if (run.state && !['preparing', 'running'].includes(run.state)) {
        out.write('\n');
        const s = run.summary;
        if (s) {
          out.write(`${formatTable(['requests', 'req/s', 'p50', 'p95', 'p99', 'max', 'errors'], [[fmt(s.requests ?? 0), fmt(Math.round(s.requests_per_s ?? 0)), s.latency_ms?.p50 ?? '-', s.latency_ms?.p95 ?? '-', s.latency_ms?.p99 ?? '-', s.latency_ms?.max ?? '-', fmt(s.errors ?? 0)]])}\n`);
          out.write(dim('latencies in ms, measured on this machine\n'));
        }
        return;
      }
      await sleep(1000);
    }
  }

  private async shard(args: string[], out: ConsoleOutput, signal: AbortSignal): Promise<void> {
    const [action, arg] = args;
    let reply: SelfReply<{ job_id?: string; kind?: string; writes_at_risk?: { count: number } }>;
    if (action === 'add') {
      if (arg !== 'faithful' && arg !== 'rebalance') throw new CommandError('usage: shard add faithful|rebalance');
      reply = await this.api.call('POST', '/lab/v1/shards', { mode: arg });
    } else if (action === 'remove' && arg) {
      reply = await this.api.call('DELETE', `/lab/v1/shards/${encodeURIComponent(arg)}`);
    } else if (action && ['kill', 'start', 'pause', 'resume', 'promote'].includes(action) && arg) {
      reply = await this.api.call('POST', `/lab/v1/shards/${encodeURIComponent(arg)}/${action}`);
    } else if (action === 'replica' && arg) {
      reply = await this.api.call('POST', `/lab/v1/shards/${encodeURIComponent(arg)}/replicas`);
    } else {
      throw new CommandError(`usage: ${this.commands.shard!.usage}`);
    }
    const what =
      action === 'add' ? 'POST /lab/v1/shards' : action === 'remove' ? 'DELETE /lab/v1/shards/:name' : `POST /lab/v1/shards/:name/${action === 'replica' ? 'replicas' : action}`;
    const body = this.ok(reply, what);
    if (body?.job_id) await this.follow(body.job_id, `shard ${action}`, out, signal);
    if (body?.kind) out.write(`${body.kind}: ${body.writes_at_risk?.count ? `${body.writes_at_risk.count} acknowledged user writes lost` : 'no acknowledged write lost'}.\n`);
    out.write(`${green('Done.')} Type ${bold('shards')} to see the cluster.\n`);
  }

  private async sqlCommand(args: string[], rest: string, out: ConsoleOutput): Promise<void> {
    const ref = args[0];
    if (!ref) throw new CommandError('usage: sql <shard> [statement]');
    const shard = findShard(this.lab.cluster, ref);
    if (!shard) throw new CommandError(`No shard '${ref}'; the shards are ${this.lab.cluster.shards.map((s) => s.name).join(', ')}.`);
    const statement = rest.slice(ref.length).trim();
    const session = await SqlSession.open(shard);
    if (statement) {
      try {
        printSql(await session.run(statement), out);
      } finally {
        await session.close();
      }
      return;
    }
    this.sql = { session, buffer: '' };
    out.write(`Connected to ${bold(shard.name)}. End statements with ';'. ${dim('\\? help, \\q back to the lab prompt.')}\n`);
  }

  private async explain(args: string[], rest: string, out: ConsoleOutput): Promise<void> {
    const analyze = args[0] === 'analyze';
    const ref = analyze ? args[1] : args[0];
    const mode: ExplainMode = analyze ? 'analyze' : 'plan';
    const statement = rest.replace(/^analyze\s+/, '').slice(ref?.length ?? 0).trim();
    if (!ref || !statement) throw new CommandError('usage: explain [analyze] <shard> <statement>');
    const shard = findShard(this.lab.cluster, ref);
    if (!shard) throw new CommandError(`No shard '${ref}'.`);
    const session = await SqlSession.open(shard);
    try {
      const run = await session.run(statement.replace(/;\s*$/, ''), mode);
      for (const r of run.results) out.write(`${r.rows.map((row) => row[0]).join('\n')}\n`);
    } finally {
      await session.close();
    }
  }

  private async sqlLine(line: string, out: ConsoleOutput): Promise<void> {
    const sql = this.sql!;
    const trimmed = line.trim();
    if (!sql.buffer && trimmed.startsWith('\\')) {
      const [cmd, arg] = trimmed.split(/\s+/);
      if (cmd === '\\q') {
        await sql.session.close();
        this.sql = null;
        return;
      }
      if (cmd === '\\?') return out.write(`${SQL_MODE_HELP}\n`);
      if (cmd === '\\dt') return printSql(await sql.session.run(LIST_TABLES_SQL), out);
      if (cmd === '\\d' && arg) return printSql(await sql.session.run(describeTableSql(sql.session.literal(arg))), out);
      throw new CommandError(`Unknown command ${cmd}; \\? lists them.`);
    }
    if (!trimmed) return;
    sql.buffer += `${line}\n`;
    if (!trimmed.endsWith(';')) return;
    const text = sql.buffer;
    sql.buffer = '';
    printSql(await sql.session.run(text), out);
  }
}

function printSql(run: SqlRun, out: ConsoleOutput): void {
  for (const r of run.results) {
    if (r.fields.length > 0) {
      out.write(`${formatTable(r.fields, r.rows)}\n`);
      out.write(dim(`(${fmt(r.row_count)} row${r.row_count === 1 ? '' : 's'}${r.truncated ? `, first ${r.rows.length} shown` : ''})\n`));
    } else {
      out.write(`${r.command}${r.row_count ? ` ${r.row_count}` : ''}\n`);
    }
  }
  out.write(dim(`${run.shard}, ${run.duration_ms.toFixed(1)} ms\n`));
}

function portOf(url: string): string {
  try {
    return new URL(url).port || '5432';
  } catch {
    return '-';
  }
}

interface LoadTestRun {
  id?: string;
  state?: string;
  scenario?: string;
  params?: { scenario?: string };
  progress?: unknown;
  summary?: { requests?: number; requests_per_s?: number; errors?: number; latency_ms?: { p50?: number; p95?: number; p99?: number; max?: number } };
}

function runRow(r: LoadTestRun): (string | number)[] {
  return [r.id?.slice(0, 8) ?? '-', r.params?.scenario ?? r.scenario ?? '-', r.state ?? '-', Math.round(r.summary?.requests_per_s ?? 0), r.summary?.latency_ms?.p95 ?? '-', r.summary?.errors ?? '-'];
}

/** Scenario names from `GET /lab/v1/loadtests/scenarios`, whether it lists names or objects. */
export function scenarioList(body: unknown): string[] {
  const list = Array.isArray(body) ? body : ((body as { scenarios?: unknown[] } | null)?.scenarios ?? []);
  return list.map((s) => (typeof s === 'string' ? s : (s as { name?: string }).name)).filter((s): s is string => typeof s === 'string');
}
