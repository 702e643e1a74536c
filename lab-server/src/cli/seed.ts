import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import type { JobView } from '../jobs/registry.js';
import { api } from './http-client.js';
import { CliError, formatTable } from './output.js';

/** `lab seed --users N`: starts a seed job in the running lab and follows it with a progress bar; Ctrl-C cancels it. */
export async function seedCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { users: { type: 'string', default: '10000' } } });
  const users = Number(values.users);
  if (!Number.isInteger(users) || users < 1) throw new CliError(`--users must be a positive integer, got '${values.users}'`);
  const { body } = await api<{ job_id: string }>('POST', '/lab/v1/seed', { users });
  const job = await followJob(body.job_id, `Seeding ${users.toLocaleString('en-US')} users`);
  const result = job.result as { per_shard: { shard_name: string; users: number }[]; seconds: number; rows_per_s: number };
  console.log(formatTable(['shard', 'users added'], result.per_shard.map((s) => [s.shard_name, s.users])));
  console.log(`\n${users.toLocaleString('en-US')} users in ${result.seconds} s (${result.rows_per_s.toLocaleString('en-US')} rows/s)`);
}

/** Polls a job until it ends, drawing its progress; the first Ctrl-C asks the lab to cancel it. */
export async function followJob(id: string, title: string): Promise<JobView> {
  const bar = new cliProgress.SingleBar(
    { format: `${title} [{bar}] {percentage}% | {value}/{total} | {state}`, hideCursor: true, noTTYOutput: false, etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
  let cancelled = false;
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
      bar.setTotal(Math.max(job.progress.total, 1));
      bar.update(job.progress.done, { state: cancelled && job.state === 'running' ? 'cancelling' : job.state });
      if (job.state === 'succeeded') return job;
      if (job.state === 'failed') throw new CliError(`Job ${id} failed: ${job.error?.message ?? 'unknown error'}`);
      if (job.state === 'cancelled') throw new CliError(`Job ${id} was cancelled; nothing it started was kept.`, 130);
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    bar.stop();
    process.off('SIGINT', onSigint);
  }
}
