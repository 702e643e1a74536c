import { ClusterError } from '../cluster/errors.js';
import { CommandError, plain, type CommandContext } from '../commands/command.js';
import { dispatch, resolveCommand } from '../commands/dispatch.js';
import { ConfigError } from '../config.js';
import { HttpLabClient } from './http-client.js';
import { CliOutput } from './progress.js';

/** `npm run lab -- <command>`: the registry's CLI front end, talking to the lab at LAB_URL. */
async function main(argv: string[]): Promise<number> {
  const controller = new AbortController();
  // Ctrl-C cancels the job or load test a command follows (it then reports how that ended); for any other
  // command it just ends the CLI, as it always did.
  const interruptible = resolveCommand(argv, 'cli')?.interruptible === true;
  if (interruptible) process.on('SIGINT', () => controller.abort());
  const ctx: CommandContext = {
    lab: new HttpLabClient(),
    out: new CliOutput(),
    style: plain,
    frontEnd: 'cli',
    invocation: 'npm run lab -- ',
    signal: controller.signal,
  };
  const result = await dispatch(argv, argv.join(' '), ctx);
  if (result.text) console.log(result.text);
  return result.exitCode ?? 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof CommandError) {
      if (err.message) console.error(err.message);
      process.exit(err.exitCode);
    }
    if (err instanceof ClusterError || err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    console.error(err);
    process.exit(1);
  },
);
