import { z } from 'zod';
import type { LockQueueReport } from '../../migration-drill/index.js';
import { errorMessage } from '../../net/self-client.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import { fmt } from './format.js';

const spec = z.strictObject({ kind: z.literal('queue-under-load') });
type QueueUnderLoadSpec = z.output<typeof spec>;

/** The parts of a load-test run (`GET /lab/v1/loadtests/:id`) this check reads. */
export interface LoadRunTimeline {
  id: string;
  state: string;
  timeline?: { t_s: number; errors_per_s: number; latency_ms: { p99: number } | null }[];
}

interface Window {
  p99: number;
  errors: number;
}

/** The run's seconds a drill covered: each tick reports the second before it, so the one after the drill ends counts too. */
function windowOf(run: LoadRunTimeline, r: LockQueueReport): Window {
  const { from_s, to_s } = r.under_load!;
  const ticks = (run.timeline ?? []).filter((t) => t.t_s > from_s && t.t_s <= to_s + 1);
  return { p99: Math.max(0, ...ticks.map((t) => t.latency_ms?.p99 ?? 0)), errors: ticks.reduce((a, t) => a + t.errors_per_s, 0) };
}

function outside(run: LoadRunTimeline, reports: LockQueueReport[]): Window {
  const inside = (t: number) => reports.some((r) => t > r.under_load!.from_s && t <= r.under_load!.to_s + 1);
  const ticks = (run.timeline ?? []).filter((t) => !inside(t.t_s) && t.latency_ms !== null);
  const p99s = ticks.map((t) => t.latency_ms!.p99).sort((a, b) => a - b);
  return { p99: p99s[Math.floor(p99s.length / 2)] ?? 0, errors: ticks.reduce((a, t) => a + t.errors_per_s, 0) };
}

/** The verdict on both lock-queue drills and the load test they ran inside; apart from reading them, so it is tested without a cluster. */
export function judgeQueueUnderLoad(plain: LockQueueReport | null, polite: LockQueueReport | null, run: LoadRunTimeline | null): CheckResult {
  if (!plain?.under_load) return fail('Start a load test, and while it runs press “Lock queue — plain ALTER” with “under the load test” ticked.');
  if (!polite?.under_load) return fail('Now, while a load test runs, press “Lock queue — lock_timeout 50 ms + retry” with “under the load test” ticked.');
  if (plain.under_load.run_id !== polite.under_load.run_id) {
    return fail('The two drills ran inside different load tests: run both inside the same one, so its timeline compares them.');
  }
  if (!run) return fail(`Load test ${plain.under_load.run_id} is gone from the history: run both drills inside a new one.`);
  if (run.state !== 'finished') {
    return fail(
      run.state === 'running' || run.state === 'preparing'
        ? 'The load test is still running: check again once it has finished.'
        : `The load test ${run.state}: run both drills inside one that finishes.`,
    );
  }
  const reader = plain.lock_view.find((v) => v.role === 'reader');
  const alter = plain.lock_view.find((v) => v.role === 'migration');
  if (!reader || !alter || !reader.waiting_for.includes(alter.pid))
    return fail('In the plain drill the reader was not seen queued behind the ALTER: run it again.');
  if (polite.alter.timeouts === 0) return fail('The lock_timeout ALTER never gave up: run it again while the long transaction holds the table.');
  const a = windowOf(run, plain);
  const b = windowOf(run, polite);
  const rest = outside(run, [plain, polite]);
  const ms = (n: number) => `${fmt(Math.round(n))} ms`;
  return pass(
    `Load test ${run.id.slice(0, 8)}: while the plain ALTER waited on ${plain.shard}, its p99 reached ${ms(a.p99)} with ${fmt(a.errors)} failed request(s); ` +
      `while the ALTER with lock_timeout stepped aside ${fmt(polite.alter.timeouts)} time(s), ${ms(b.p99)} with ${fmt(b.errors)}; the other seconds' median p99 was ${ms(rest.p99)}.`,
  );
}

/** Both lock-queue drills ran inside one finished load test (the Migrations chapter's "under load" check). */
export const queueUnderLoad: CheckKind<QueueUnderLoadSpec> = {
  kind: 'queue-under-load',
  spec,
  async run(_s, ctx) {
    const { plain, lock_timeout: polite } = (await ctx.lab.migrationDrill.status()).lock_queues;
    const id = plain?.under_load?.run_id;
    if (!id) return judgeQueueUnderLoad(plain, polite, null);
    const reply = await ctx.api.call<LoadRunTimeline>('GET', `/lab/v1/loadtests/${encodeURIComponent(id)}`);
    if (reply.status === 404) return judgeQueueUnderLoad(plain, polite, null);
    if (reply.status !== 200) return fail(`Could not read load test ${id}: ${errorMessage(reply)}`);
    return judgeQueueUnderLoad(plain, polite, reply.body);
  },
};
