import { spawn } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../../src/config.js';

const CLI = path.join(REPO_ROOT, 'lab-server/src/cli/main.ts');

export interface CliRun {
  code: number | null;
  out: string;
}

export interface RunningCli {
  /** Everything the command wrote so far, stdout and stderr together. */
  output(): string;
  /** Resolves with the first match of `pattern` in the output; rejects if the command ends first. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
  done: Promise<CliRun>;
}

/** Starts `npm run lab -- …` as its own process, the way a user runs it, and lets a test watch it run. */
export function startCli(args: string[], env: Record<string, string>, input = ''): RunningCli {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (c: Buffer) => {
    out += c.toString();
    for (const l of listeners) l();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  child.stdin.end(input);
  const done = new Promise<CliRun>((resolve) => child.once('exit', (code) => resolve({ code, out })));
  const waitFor = (pattern: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const m = out.match(pattern);
        if (!m) return;
        listeners.delete(check);
        resolve(m);
      };
      listeners.add(check);
      check();
      void done.then(() => {
        check();
        if (listeners.delete(check)) reject(new Error(`the CLI ended without printing ${String(pattern)}:\n${out}`));
      });
    });
  return { output: () => out, waitFor, done };
}

export const runCli = (args: string[], env: Record<string, string>, input = ''): Promise<CliRun> => startCli(args, env, input).done;
