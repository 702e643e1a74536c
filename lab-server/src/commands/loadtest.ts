import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { get, post, seg } from './api.js';
import { positionals, wholeNumber } from './args.js';
import { CommandError, defineCommand, type CommandContext, type CommandResult } from './command.js';
import { num } from './format.js';
import { progressLine, runsTable, runText } from './loadtest-text.js';
import { RunList, RunStarted, RunView, Scenarios } from './replies.js';

const POLL_MS = 500;

export default defineCommand({
  name: 'loadtest',
  interruptible: true,
  usage: 'loadtest [SCENARIO [SECONDS]] [--connections N] [--duration S] [--rate R] [--warmup S]',
  summary: 'run a load test in the lab and follow it (make loadtest-read, …); Ctrl-C cancels; alone: scenarios and recent runs',
  flags: { connections: 'string', duration: 'string', rate: 'string', warmup: 'string' },
  args: z
    .object({
      _: positionals([z.string().optional(), wholeNumber('SECONDS', 1).optional()]),
      connections: wholeNumber('--connections').optional(),
      duration: wholeNumber('--duration').optional(),
      rate: wholeNumber('--rate').optional(),
      warmup: wholeNumber('--warmup').optional(),
    })
    .transform(({ _: [scenario, seconds], connections, duration, rate, warmup }) => ({
      scenario,
      request: { connections, duration_s: duration ?? seconds, rate, warmup_s: warmup },
    })),
  complete: (index, _before, source) => (index === 0 ? source.scenarios() : []),
  async run({ scenario, request }, ctx) {
    if (!scenario) return overview(ctx);
    const fields = Object.fromEntries(Object.entries(request).filter(([, v]) => v !== undefined));
    const started = await post(ctx.lab, '/lab/v1/loadtests', RunStarted, { scenario, ...fields });
    const p = started.run.params;
    ctx.out.line(
      `Load test ${started.id}: ${scenario}, ${num(p.connections)} connections, ${p.duration_s} s${p.rate ? `, paced to ${num(p.rate)} req/s` : ', closed loop'} → ${started.run.target}`,
    );
    const final = await follow(ctx, started.id);
    const text = runText(final);
    if (final.state === 'failed') throw new CommandError(`${text}\nThe load test failed: ${final.error ?? 'unknown error'}`);
    if (final.state === 'cancelled')
      return { data: final, text: `${text}\nThe load test was cancelled; the numbers above cover what ran until then.`, exitCode: 130 };
    const errors = final.summary?.errors ?? 0;
    if (errors > 0) return { data: final, text: `${text}\n${num(errors)} requests failed (see the status codes above).`, exitCode: 1 };
    return { data: final, text };
  },
});

/** `loadtest` alone: what can run, and what ran. */
async function overview(ctx: CommandContext): Promise<CommandResult> {
  const [{ scenarios }, { runs }] = await Promise.all([get(ctx.lab, '/lab/v1/loadtests/scenarios', Scenarios), get(ctx.lab, '/lab/v1/loadtests', RunList)]);
  const names = `Scenarios: ${scenarios.map((s) => s.name).join(', ')}`;
  const recent = runs.length ? runsTable(runs.slice(0, 10)) : `No runs yet. Start one: ${ctx.invocation}loadtest <scenario> [seconds]`;
  return { data: { scenarios, runs }, text: `${names}\n${recent}` };
}

/** Polls the run, redrawing one progress line; Ctrl-C cancels it, and the run's numbers up to then still print. */
async function follow(ctx: CommandContext, id: string): Promise<RunView> {
  let cancelling = false;
  let notes = 0;
  try {
    for (;;) {
      if (ctx.signal.aborted && !cancelling) {
        cancelling = true;
        ctx.out.line('Cancelling...');
        await ctx.lab.call('POST', `/lab/v1/loadtests/${seg(id)}/cancel`, {});
      }
      const r = await get(ctx.lab, `/lab/v1/loadtests/${seg(id)}`, RunView);
      for (; notes < r.notes.length; notes++) ctx.out.line(`  ${r.notes[notes]}`);
      if (!['preparing', 'running'].includes(r.state)) return r;
      const line = progressLine(r);
      if (line) ctx.out.progress({ title: 'loadtest', state: line });
      await sleep(POLL_MS);
    }
  } finally {
    ctx.out.endProgress();
  }
}
