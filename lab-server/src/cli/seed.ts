import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import type { JobView } from '../jobs/registry.js';
import { api } from './http-client.js';
import { CliError, formatTable } from './output.js';

/**
 * `lab seed --users N [--conversations N --messages N]`: starts a seed job in the running lab and follows it
 * with a progress bar; Ctrl-C cancels it.
 */
export async function seedCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { users: { type: 'string', default: '10000' }, conversations: { type: 'string', default: '0' }, messages: { type: 'string', default: '0' } },
  });
  const plan = { users: Number(values.users), conversations: Number(values.conversations), messages: Number(values.messages) };
  for (const [name, n] of Object.entries(plan)) {
    if (!Number.isInteger(n) || n < 0) throw new CliError(`--${name} must be a whole number, got '${values[name as keyof typeof plan]}'`);
  }
  const { body } = await api<{ job_id: string }>('POST', '/lab/v1/seed', plan);
  const what = Object.entries(plan).filter(([, n]) => n > 0).map(([name, n]) => `${n.toLocaleString('en-US')} ${name}`).join(', ');
  const job = await followJob(body.job_id, `Seeding ${what}`);
  const result = job.result as { per_shard: { shard_name: string; users: number; conversations: number; messages: number }[]; seconds: number; rows_per_s: number };
  console.log(formatTable(['shard', 'users', 'conversations', 'messages'], result.per_shard.map((s) => [s.shard_name, s.users, s.conversations, s.messages])));
  console.log(`\n${what} in ${result.seconds} s (${result.rows_per_s.toLocaleString('en-US')} rows/s)`);
}

/** Polls a job until it ends, drawing its progress; the first Ctrl-C asks the lab to cancel it. */
export async function followJob(id: string, title: string): Promise<JobView> {
  const bar = new cliProgress.SingleBar(
    { format: `${title} [{bar}] {percentage}% | {value}/{total} | {state}`, hideCursor: true, noTTYOutput: false, etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
  let cancelled = false;
  let announced: string | undefined;
  const onSigint = () => {
    if (cancelled) return;
    cancelled = true;
    void api('POST', `/lab/v1/jobs/${id}/cancel`);
  };
  process.on('SIGINT', onSigint);
  bar.start(1, 0, { state: 'queued' });
  try {
    for (;;) {
      const { body: job } = await api<JobView>('GET', `/lab/v1/jobs/${id}`);
      const state = cancelled && job.state === 'running' ? 'cancelling' : job.state;
      const payload = { state: job.waiting ? `held ${job.waiting}` : job.phase && job.state === 'running' ? `${state} · ${job.phase}` : state };
      if (job.waiting && job.waiting !== announced) {
        // Said once per hold, on a line of its own, so it also reaches a log or a pipe where no bar is drawn.
        announced = job.waiting;
        bar.stop();
        console.log(`Held ${job.waiting}. Look around, then 'npm run lab -- jobs continue ${id}' goes on; Ctrl-C here cancels.`);
        bar.start(Math.max(job.progress.total, 1), job.progress.done, payload);
      }
      bar.setTotal(Math.max(job.progress.total, 1));
      bar.update(job.progress.done, payload);
      if (job.state === 'succeeded') return job;
      if (job.state === 'failed') throw new CliError(`Job ${id} failed: ${job.error?.message ?? 'unknown error'}`);
      if (job.state === 'cancelled' && job.result?.reverted) {
        throw new CliError(`Job ${id} was cancelled after cutover: the data moved back, and ring version ${String(job.result.ring_version)} has the shards it had before.`, 130);
      }
      if (job.state === 'cancelled') throw new CliError(`Job ${id} was cancelled; nothing it started was kept.`, 130);
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    bar.stop();
    process.off('SIGINT', onSigint);
  }
}
