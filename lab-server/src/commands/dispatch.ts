import {
  CommandError,
  offeredBy,
  UsageError,
  type Command,
  type CommandContext,
  type CommandResult,
  type CompletionSource,
  type FrontEnd,
  type RawArgs,
} from './command.js';
import { ALIASES, COMMANDS } from './registry.js';

/** What each front end puts before a command in usage lines (the CLI's usage has always said `lab …`). */
const USAGE_PREFIX: Record<FrontEnd, string> = { cli: 'lab ', terminal: '' };

const offered = (frontEnd: FrontEnd): Command[] => COMMANDS.filter((c) => offeredBy(c, frontEnd));
const dealias = (words: readonly string[]): string[] => (words[0] && ALIASES[words[0]] ? [ALIASES[words[0]]!, ...words.slice(1)] : [...words]);

/** The longest command name the words start with, and how many words it took. */
function resolve(words: readonly string[], frontEnd: FrontEnd): { command: Command; used: number } | null {
  for (let used = Math.min(words.length, 3); used > 0; used--) {
    const name = words.slice(0, used).join(' ');
    const command = offered(frontEnd).find((c) => c.name === name);
    if (command) return { command, used };
  }
  return null;
}

/** The command a line invokes, if any (the CLI asks before running it, to know what Ctrl-C should do). */
export const resolveCommand = (words: readonly string[], frontEnd: FrontEnd): Command | null => resolve(dealias(words), frontEnd)?.command ?? null;

/** The commands under a first word (`shards` → shards, shards add, …), for usage errors and `help shards`. */
const family = (word: string, frontEnd: FrontEnd): Command[] =>
  offered(frontEnd).filter((c) => !c.hidden && (c.name === word || c.name.startsWith(`${word} `)));

/** Placeholders as each front end has always written them: `NAME` on the CLI, `<name>` in the terminal. */
const usage = (c: Command, frontEnd: FrontEnd): string => (frontEnd === 'cli' ? c.usage : c.usage.replace(/\b[A-Z][A-Z_]*\b/g, (w) => `<${w.toLowerCase()}>`));

function usageOf(commands: readonly Command[], frontEnd: FrontEnd): string {
  return commands.map((c, i) => `${i === 0 ? 'usage: ' : '       '}${USAGE_PREFIX[frontEnd]}${usage(c, frontEnd)}`).join('\n');
}

/** Splits words into positionals and the command's declared `--flags`. */
function parseWords(command: Command, words: readonly string[], tail: string): RawArgs {
  const raw: RawArgs = { _: [], tail };
  if (command.parseFlags === false) {
    raw._ = [...words];
    return raw;
  }
  const flags = command.flags ?? {};
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word === '--') {
      raw._.push(...words.slice(i + 1));
      break;
    }
    if (!word.startsWith('--') || word.length === 2) {
      raw._.push(word);
      continue;
    }
    const [, name = '', inline] = /^([^=]*)(?:=(.*))?$/s.exec(word.slice(2)) ?? [];
    const kind = flags[name];
    if (!kind) throw new UsageError(`unknown option --${name}`);
    if (kind === 'boolean') raw[name] = inline === undefined ? true : inline !== 'false';
    else {
      const value = inline ?? words[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      raw[name] = value;
    }
  }
  return raw;
}

/**
 * Runs one command line: `words` as split by the front end, `line` as typed (the tail of SQL keeps its
 * spacing). `help` is answered here, from the registry.
 */
export async function dispatch(words: readonly string[], line: string, ctx: CommandContext): Promise<CommandResult> {
  const [first, ...rest] = dealias(words);
  if (!first || first === 'help' || first === '--help' || first === '-h') return { data: null, text: helpText(ctx.frontEnd, rest[0]) };
  const found = resolve([first, ...rest], ctx.frontEnd);
  const group = family(first, ctx.frontEnd);
  if (!found && group.length > 0) throw new CommandError(usageOf(group, ctx.frontEnd));
  if (!found)
    throw new CommandError(
      `Unknown command '${first}'. Type ${ctx.frontEnd === 'cli' ? `'${ctx.invocation}help'` : 'help'} for the list${ctx.frontEnd === 'terminal' ? " (this is the lab's console, not a shell)" : ''}.`,
    );
  const { command, used } = found;
  // SQL may hold `-h`; every other command answers `--help` with its own usage.
  if (command.parseFlags !== false && (rest.includes('--help') || rest.includes('-h'))) return { data: null, text: helpText(ctx.frontEnd, first) };
  const tail = line
    .trim()
    .replace(new RegExp(`^(\\S+\\s*){${used}}`), '')
    .trim();
  try {
    return await command.execute(parseWords(command, words.slice(used), tail), ctx);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    const usage = usageOf(command.name.includes(' ') ? [command] : family(command.name, ctx.frontEnd), ctx.frontEnd);
    throw new CommandError(err.reason ? `${err.reason}\n${usage}` : usage);
  }
}

/** `help` and `help <command>`: every command this front end offers, from the registry. */
export function helpText(frontEnd: FrontEnd, topic?: string): string {
  const list = topic ? family(ALIASES[topic] ?? topic, frontEnd) : offered(frontEnd).filter((c) => !c.hidden);
  if (list.length === 0) throw new CommandError(`No command '${topic}'.`);
  const usages = list.map((c) => usage(c, frontEnd));
  const width = Math.min(40, Math.max(...usages.map((u) => u.length)));
  const rows = list.map((c, i) => {
    const u = usages[i]!;
    return u.length > width ? `  ${u}\n  ${' '.repeat(width)}  ${c.summary}` : `  ${u.padEnd(width)}  ${c.summary}`;
  });
  const head = frontEnd === 'cli' && !topic ? 'Shard Lab CLI — npm run lab -- <command>\n\n' : '';
  return `${head}${rows.join('\n')}`;
}

/** The first words a front end offers (with aliases), for completion and the front-end parity test. */
export function commandWords(frontEnd: FrontEnd): string[] {
  const words = new Set(
    offered(frontEnd)
      .filter((c) => !c.hidden)
      .map((c) => c.name.split(' ')[0]!),
  );
  for (const [alias, target] of Object.entries(ALIASES)) if (words.has(target)) words.add(alias);
  return ['help', ...[...words].sort()];
}

/** Tab completion of the last word of `line`: command words from the registry, then the command's own candidates. */
export async function complete(line: string, frontEnd: FrontEnd, source: CompletionSource): Promise<{ from: number; options: string[] }> {
  const from = line.search(/\S*$/);
  const word = line.slice(from);
  const before = dealias(line.slice(0, from).trim().split(/\s+/).filter(Boolean));
  const match = (options: string[]) => ({ from, options: [...new Set(options)].filter((o) => o.startsWith(word)) });
  if (before.length === 0 || (before.length === 1 && before[0] === 'help')) return match(commandWords(frontEnd));
  const found = resolve(before, frontEnd);
  const used = found?.used ?? 0;
  // Subcommand words: only right after the words of a command (or of a group with no command of its own).
  const subs =
    used === before.length || !found
      ? offered(frontEnd)
          .filter((c) => !c.hidden && c.name.startsWith(`${before.join(' ')} `))
          .map((c) => c.name.split(' ')[before.length]!)
      : [];
  const own = found?.command.complete ? await found.command.complete(before.length - used, before.slice(used), source) : [];
  return match([...subs, ...own]);
}
