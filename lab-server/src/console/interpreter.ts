import { CommandError, type CommandContext, type CompletionSource, type Output, type Style } from '../commands/command.js';
import { complete, dispatch } from '../commands/dispatch.js';
import { describeTableSql, LIST_TABLES_SQL, SQL_MODE_HELP } from '../commands/psql-meta.js';
import { Scenarios } from '../commands/replies.js';
import { sqlText } from '../commands/sql.js';
import type { SelfClient } from '../net/self-client.js';
import type { Lab } from '../lab/lab.js';
import { findShard, SqlError, SqlSession } from './sql.js';

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
const ansi: Style = { bold: esc('1'), dim: esc('2'), green: esc('32'), red: esc('31'), yellow: esc('33') };
const cyan = esc('36');

/** The terminal's live output: notes as lines, progress as one line rewritten in place. */
function terminalOutput(out: ConsoleOutput): Output {
  let shown = false;
  return {
    line(text) {
      out.write(`${shown ? '\r\x1b[K' : ''}${text}\n`);
      shown = false;
    },
    progress({ title, done, total, state }) {
      const percent = done !== undefined && total ? ` ${Math.floor((100 * done) / total)} %` : '';
      out.write(`\r\x1b[K${total === undefined ? state : `${title}: ${state}${percent}`}`);
      shown = true;
    },
    endProgress() {
      if (shown) out.write('\n');
      shown = false;
    },
  };
}

/**
 * The browser terminal — never a host shell: the command registry's second front end (the CLI is the
 * first), calling the lab's own HTTP API over loopback so a command does exactly what the buttons do.
 * `sql <shard>` without a statement switches the session into SQL mode on that shard, with psql-like
 * backslash commands, until `\q`. One session per terminal connection.
 */
export class ConsoleSession {
  private sql: { session: SqlSession; buffer: string } | null = null;
  private running: AbortController | null = null;
  private scenarios: string[] | null = null;
  private readonly completion: CompletionSource;

  constructor(
    private readonly lab: Pick<Lab, 'cluster' | 'config'>,
    private readonly api: SelfClient,
  ) {
    this.completion = {
      shards: async () => this.lab.cluster.shards.map((s) => s.name),
      scenarios: () => this.scenarioNames(),
    };
  }

  get prompt(): string {
    if (!this.sql) return `${cyan('lab')}> `;
    return `${cyan(this.sql.session.shard.name)}${this.sql.buffer ? '-' : '='}> `;
  }

  banner(): string {
    return `${ansi.bold('Shard Lab terminal')} — commands act on the live cluster. ${ansi.dim('Type help; Tab completes; ↑/↓ history.')}\n`;
  }

  /** Runs one line. Never throws: failures are printed. */
  async run(line: string, out: ConsoleOutput): Promise<void> {
    const controller = new AbortController();
    this.running = controller;
    try {
      if (this.sql) await this.sqlLine(line, out);
      else await this.command(line, out, controller.signal);
    } catch (err) {
      if (err instanceof CommandError || err instanceof SqlError) out.write(`${ansi.red(err.message)}\n`);
      else if (controller.signal.aborted) out.write(`${ansi.yellow('Interrupted.')}\n`);
      else out.write(`${ansi.red(`Error: ${err instanceof Error ? err.message : String(err)}`)}\n`);
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
    if (!this.sql) return complete(line, 'terminal', this.completion);
    const from = line.search(/\S*$/);
    const word = line.slice(from);
    return { from, options: word.startsWith('\\') ? ['\\dt', '\\d', '\\q', '\\?'].filter((o) => o.startsWith(word)) : [] };
  }

  async close(): Promise<void> {
    this.running?.abort();
    await this.sql?.session.close();
    this.sql = null;
  }

  private async command(line: string, out: ConsoleOutput, signal: AbortSignal): Promise<void> {
    const words = line.trim().split(/\s+/).filter(Boolean);
    if (words.length === 0) return;
    const live = terminalOutput(out);
    const ctx: CommandContext = {
      lab: this.api,
      out: live,
      style: ansi,
      frontEnd: 'terminal',
      invocation: '',
      signal,
      sqlMode: { enter: (shard) => this.enterSql(shard) },
    };
    try {
      const result = await dispatch(words, line, ctx);
      if (result.text) out.write(`${result.text}\n`);
    } finally {
      live.endProgress();
    }
  }

  private async enterSql(ref: string): Promise<string> {
    const shard = findShard(this.lab.cluster, ref);
    if (!shard) throw new CommandError(`No shard '${ref}'; the shards are ${this.lab.cluster.shards.map((s) => s.name).join(', ')}.`);
    this.sql = { session: await SqlSession.open(shard, { statementTimeoutMs: this.lab.config.consoleStatementTimeoutMs }), buffer: '' };
    return shard.name;
  }

  private async scenarioNames(): Promise<string[]> {
    if (this.scenarios) return this.scenarios;
    const reply = await this.api.call('GET', '/lab/v1/loadtests/scenarios');
    const parsed = Scenarios.safeParse(reply.body);
    if (reply.status !== 200 || !parsed.success) return [];
    this.scenarios = parsed.data.scenarios.map((s) => s.name);
    return this.scenarios;
  }

  private async sqlLine(line: string, out: ConsoleOutput): Promise<void> {
    const sql = this.sql!;
    const print = async (text: string) => out.write(`${sqlText(await sql.session.run(text), ansi)}\n`);
    const trimmed = line.trim();
    if (!sql.buffer && trimmed.startsWith('\\')) {
      const [cmd, arg] = trimmed.split(/\s+/);
      if (cmd === '\\q') {
        await sql.session.close();
        this.sql = null;
        return;
      }
      if (cmd === '\\?') return out.write(`${SQL_MODE_HELP}\n`);
      if (cmd === '\\dt') return print(LIST_TABLES_SQL);
      if (cmd === '\\d' && arg) return print(describeTableSql(sql.session.literal(arg)));
      throw new CommandError(`Unknown command ${cmd}; \\? lists them.`);
    }
    if (!trimmed) return;
    sql.buffer += `${line}\n`;
    if (!trimmed.endsWith(';')) return;
    const text = sql.buffer;
    sql.buffer = '';
    await print(text);
  }
}
