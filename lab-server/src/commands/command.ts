import type { z } from 'zod';

/** The front ends of the command registry: `npm run lab -- …` and the browser terminal. */
export type FrontEnd = 'cli' | 'terminal';

/** One reply of the lab's HTTP API, body still unchecked (commands parse it with a schema). */
export interface LabReply {
  status: number;
  body: unknown;
}

/**
 * How a command reaches the lab: its HTTP API. The CLI passes a client to LAB_URL, the terminal the lab's
 * loopback client, so a command does exactly what a learner could do with curl or a button.
 */
export interface LabClient {
  call(method: string, path: string, body?: unknown): Promise<LabReply>;
}

/** Live output while a command runs; its final text is returned instead. */
export interface Output {
  /** A line printed now (a note, a step that finished), above any progress display. */
  line(text: string): void;
  /** Redraws the progress display: a bar on the CLI when `total` is known, a rewritten line in the terminal. */
  progress(p: { title: string; done?: number; total?: number; state: string }): void;
  /** Ends the progress display (idempotent). */
  endProgress(): void;
}

/** Colours for the terminal; the CLI passes plain text through. */
export interface Style {
  bold(s: string | number): string;
  dim(s: string | number): string;
  green(s: string | number): string;
  red(s: string | number): string;
  yellow(s: string | number): string;
}

/** The terminal's SQL mode: a command hands the rest of the session's lines to one shard. */
export interface SqlMode {
  /** Opens a session on the shard (by name or id) and switches the prompt; returns the shard's name. */
  enter(shard: string): Promise<string>;
}

export interface CommandContext {
  lab: LabClient;
  out: Output;
  style: Style;
  frontEnd: FrontEnd;
  /** What the user types before a command, for messages that name another one: `npm run lab -- ` or ''. */
  invocation: string;
  /** Aborted by Ctrl-C: a command following a job or load test cancels it, then waits for it to end. */
  signal: AbortSignal;
  /** Only in the terminal. */
  sqlMode?: SqlMode | undefined;
}

export interface CommandResult<T = unknown> {
  data: T;
  text: string;
  /** Non-zero when the command ran to its end but reports a failure (a load test with failed requests). */
  exitCode?: number;
}

/** Words the user typed after the command's name, split into positionals and `--flags` by the dispatcher. */
export interface RawArgs {
  _: string[];
  /** The text after the command's name as typed (SQL keeps its spacing and `--` comments). */
  tail: string;
  [flag: string]: string | boolean | string[];
}

/** Where Tab completion may look: both lists come from the lab itself. */
export interface CompletionSource {
  shards(): Promise<string[]>;
  scenarios(): Promise<string[]>;
}

export interface CommandSpec<A, T> {
  /** Words that invoke it: `route`, `shards add`. */
  name: string;
  /** Shown in `help` and usage errors, without the front end's prefix. */
  usage: string;
  summary: string;
  /** Which front ends offer it (default both): a command that needs a local process is CLI-only. */
  frontEnds?: readonly FrontEnd[];
  /** Not listed in `help` (e.g. the process `cluster up` starts). */
  hidden?: boolean;
  /** `--flags` the command takes and their kind; everything else is a positional or an error. */
  flags?: Record<string, 'string' | 'boolean'>;
  /** It follows long work (a job, a load test) and cancels it on Ctrl-C; the CLI otherwise just exits. */
  interruptible?: boolean;
  /** Off for commands whose tail is SQL: `--` there is a comment, not a flag. */
  parseFlags?: boolean;
  /** Validates and converts the raw words into the arguments `run` gets. */
  args: z.ZodType<A>;
  /** Candidates for positional argument number `index` (0-based), given the ones before it. */
  complete?(index: number, before: string[], source: CompletionSource): Promise<string[]> | string[];
  run(args: A, ctx: CommandContext): Promise<CommandResult<T>>;
}

/** A registered command: its spec, and `execute`, which checks the raw arguments against the schema and runs it. */
export type Command = Omit<CommandSpec<unknown, unknown>, 'args' | 'run'> & {
  execute(raw: RawArgs, ctx: CommandContext): Promise<CommandResult>;
};

/** One command module's export: keeps its argument type inside, so the registry can hold them all in one list. */
export function defineCommand<A, T>({ args, run, ...spec }: CommandSpec<A, T>): Command {
  return {
    ...spec,
    async execute(raw, ctx) {
      const parsed = args.safeParse(raw);
      if (!parsed.success) throw new UsageError(parsed.error.issues[0]?.message);
      return run(parsed.data, ctx);
    },
  };
}

/** A failure the user caused or can fix: printed without a stack, exit code 1 (130 for a cancel). */
export class CommandError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** No answer at the lab's address: not running, or (for a moment) handing its port to or from prefork workers. */
export class LabUnreachableError extends CommandError {}

/** The arguments did not fit: the dispatcher adds the command's usage, in the front end's words. */
export class UsageError extends CommandError {
  constructor(readonly reason: string | undefined) {
    super(reason ?? 'bad arguments');
  }
}

export const plain: Style = { bold: String, dim: String, green: String, red: String, yellow: String };

export const offeredBy = (command: Pick<Command, 'frontEnds'>, frontEnd: FrontEnd): boolean => (command.frontEnds ?? ['cli', 'terminal']).includes(frontEnd);
