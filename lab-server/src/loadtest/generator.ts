import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { execArgvFor } from '../process/fork-args.js';
import type { ChildMessage, LoadSummary, ParentMessage, TickSample, Totals } from './protocol.js';

const CHILD = fileURLToPath(new URL(`./child${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url));

export interface Generator {
  child: ChildProcess;
  /** The generator's summary; rejects when it exits without one (crash, SIGKILL). */
  result: Promise<LoadSummary>;
}

/**
 * Forks the load generator (child.ts) and sends it one run. It stops by itself after its phases; `hardLimitMs`
 * kills it if it does not (a bounded run even if autocannon hangs).
 */
export function startGenerator(
  run: Omit<Extract<ParentMessage, { type: 'start' }>, 'type'>,
  onTick: (sample: TickSample, totals: Totals) => void,
  hardLimitMs: number,
  onWarmUp: (w: Extract<ChildMessage, { type: 'warmup' }>) => void = () => undefined,
): Generator {
  const child = fork(CHILD, [], { execArgv: execArgvFor(CHILD), stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced' });
  const result = new Promise<LoadSummary>((resolve, reject) => {
    let stderr = '';
    let summary: LoadSummary | null = null;
    let failure: string | null = null;
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    const hardLimit = setTimeout(() => {
      failure = `the load generator did not stop by itself within ${Math.round(hardLimitMs / 1000)} s; it was killed`;
      child.kill('SIGKILL');
    }, hardLimitMs);
    hardLimit.unref();
    child.on('message', (msg: ChildMessage) => {
      if (msg.type === 'tick') onTick(msg.sample, msg.totals);
      else if (msg.type === 'warmup') onWarmUp(msg);
      else if (msg.type === 'done') summary = msg.summary;
      else failure = msg.message;
    });
    child.once('error', (err) => (failure ??= err.message));
    child.once('exit', (code, signal) => {
      clearTimeout(hardLimit);
      if (summary) resolve(summary);
      else reject(new Error(failure ?? `the load generator exited (${signal ?? `code ${code}`}) without a result${stderr ? `: ${stderr.trim()}` : ''}`));
    });
  });
  child.send({ type: 'start', ...run } satisfies ParentMessage);
  return { child, result };
}
