import { describe, expect, it } from 'vitest';
import { CommandError, offeredBy, plain, type CommandContext, type FrontEnd } from './command.js';
import { commandWords, complete, dispatch, helpText } from './dispatch.js';
import { ALIASES, COMMANDS } from './registry.js';

const FRONT_ENDS: FrontEnd[] = ['cli', 'terminal'];

/** A context whose lab refuses every call: these tests cover what happens before a command reaches the lab. */
const offline = (frontEnd: FrontEnd): CommandContext => ({
  lab: {
    call: async () => {
      throw new Error('no lab in this test');
    },
  },
  out: { line: () => undefined, progress: () => undefined, endProgress: () => undefined },
  style: plain,
  frontEnd,
  invocation: frontEnd === 'cli' ? 'npm run lab -- ' : '',
  signal: new AbortController().signal,
});

const failure = async (frontEnd: FrontEnd, line: string): Promise<string> => {
  const err = await dispatch(line.split(' '), line, offline(frontEnd)).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CommandError);
  return (err as CommandError).message;
};

describe('the command registry', () => {
  it('gives every command a unique name, a usage that starts with it, and help text', () => {
    const names = COMMANDS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const c of COMMANDS) {
      expect(c.usage.startsWith(c.name), c.name).toBe(true);
      expect(c.summary.trim().length, c.name).toBeGreaterThan(10);
    }
  });

  it('lists the same commands in the CLI and the terminal, except those flagged for one front end', () => {
    // The commands a front end's `help` shows, read back from its text: one usage line each, in registry order.
    const byLength = [...COMMANDS].sort((a, b) => b.name.length - a.name.length);
    const listed = (frontEnd: FrontEnd) =>
      helpText(frontEnd)
        .split('\n')
        .filter((l) => /^ {2}\S/.test(l))
        .map((l) => byLength.find((c) => l.trim() === c.name || l.trim().startsWith(`${c.name} `))?.name);
    const oneFrontEnd = new Set(COMMANDS.filter((c) => c.frontEnds && c.frontEnds.length < FRONT_ENDS.length).map((c) => c.name));
    const shared = (frontEnd: FrontEnd) => listed(frontEnd).filter((name) => name === undefined || !oneFrontEnd.has(name));
    expect(shared('cli')).toEqual(shared('terminal'));
    expect(shared('cli')).toEqual(COMMANDS.filter((c) => !c.hidden && !oneFrontEnd.has(c.name)).map((c) => c.name));
    for (const frontEnd of FRONT_ENDS) {
      expect(listed(frontEnd)).toEqual(COMMANDS.filter((c) => !c.hidden && offeredBy(c, frontEnd)).map((c) => c.name));
    }
    for (const alias of Object.keys(ALIASES)) expect(commandWords('terminal')).toContain(alias);
  });

  it('refuses bad arguments with the usage, in each front end’s words, before calling the lab', async () => {
    expect(await failure('cli', 'jobs cancel')).toContain('usage: lab jobs cancel ID');
    expect(await failure('terminal', 'jobs cancel')).toContain('usage: jobs cancel <id>');
    expect(await failure('cli', 'route a b')).toContain('too many arguments');
    expect(await failure('cli', 'seed --users many')).toContain('--users must be a whole number');
    expect(await failure('cli', 'shards add --sideways')).toContain('unknown option --sideways');
    expect(await failure('cli', 'migrate sideways')).toMatch(/usage: lab migrate status\n\s+lab migrate up/);
    expect(await failure('terminal', 'migrate make x')).toMatch(/^usage: migrate status/);
    expect(await failure('terminal', 'ls -la')).toMatch(/Unknown command 'ls'.*not a shell/);
    expect(await failure('terminal', 'db-shell 1')).toContain("Unknown command 'db-shell'");
  });

  it('completes command words from the registry and arguments from the command', async () => {
    const source = { shards: async () => ['shard-0', 'shard-1'], scenarios: async () => ['smoke', 'standard'] };
    const options = async (line: string) => (await complete(line, 'terminal', source)).options.sort();
    expect(await options('sh')).toEqual(['shard', 'shards']);
    expect(await options('shard ')).toContain('add');
    expect(await options('shard add ')).toEqual(['faithful', 'rebalance']);
    expect(await options('shard kill s')).toEqual(['shard-0', 'shard-1']);
    expect(await options('migrate ')).toEqual(['down', 'drift', 'drill', 'latest', 'status', 'up']);
    expect(await options('migrate drill crash ')).toEqual(['advisory', 'faithful']);
    expect(await options('loadtest s')).toEqual(['scenarios', 'show', 'smoke', 'standard']);
    expect(await options('explain ')).toEqual(['analyze', 'shard-0', 'shard-1']);
    expect(await options('help ro')).toEqual(['route']);
    expect((await complete('migrate ', 'cli', source)).options).toContain('make');
  });
});
