import { plain, type CommandContext } from '../../src/commands/command.js';
import { dispatch } from '../../src/commands/dispatch.js';
import { SelfClient } from '../../src/net/self-client.js';

/** A command line as the terminal dispatches it, against the lab at `labUrl`: its text, or the error it throws. */
export async function runCommand(labUrl: string, line: string): Promise<string> {
  const ctx: CommandContext = {
    lab: new SelfClient(labUrl),
    out: { line: () => undefined, progress: () => undefined, endProgress: () => undefined },
    style: plain,
    frontEnd: 'terminal',
    invocation: '',
    signal: new AbortController().signal,
  };
  return (await dispatch(line.split(/\s+/), line, ctx)).text;
}
