import { z } from 'zod';
import { get, post, seg } from './api.js';
import { arg, noArgs, positionals } from './args.js';
import { callCommand } from './call-command.js';
import { defineCommand } from './command.js';
import { formatTable, num } from './format.js';
import { runsTable, runText } from './loadtest-text.js';
import { Comparison, RunList, RunView, Scenarios } from './replies.js';

/** Load-test definitions and history: the runs are kept in the catalog across restarts. */
export const scenarios = defineCommand({
  name: 'loadtest scenarios',
  usage: 'loadtest scenarios',
  summary: 'what each scenario does',
  args: noArgs,
  async run(_args, ctx) {
    const body = await get(ctx.lab, '/lab/v1/loadtests/scenarios', Scenarios);
    return { data: body, text: body.scenarios.map((s) => `${s.name.padEnd(17)} ${s.title}\n${' '.repeat(18)}${s.description}\n`).join('\n') };
  },
});

export const list = callCommand({
  name: 'loadtest list',
  summary: 'past runs (make loadtest-list)',
  path: '/lab/v1/loadtests',
  reply: RunList,
  show: ({ runs }) => ({ data: runs, text: runsTable(runs) }),
});

export const show = defineCommand({
  name: 'loadtest show',
  usage: 'loadtest show ID',
  summary: 'one run in full',
  args: z.object({ _: positionals([arg('ID')]) }),
  async run({ _: [id] }, ctx) {
    const r = await get(ctx.lab, `/lab/v1/loadtests/${seg(id)}`, RunView);
    const text = [...r.notes.map((n) => `  ${n}`), runText(r), ...(r.error ? [`error: ${r.error}`] : [])].join('\n');
    return { data: r, text };
  },
});

export const compare = defineCommand({
  name: 'loadtest compare',
  usage: 'loadtest compare A B',
  summary: 'two runs side by side',
  args: z.object({ _: positionals([arg('A'), arg('B')]) }),
  async run({ _: [a, b] }, ctx) {
    const body = await get(ctx.lab, `/lab/v1/loadtests/compare?a=${seg(a)}&b=${seg(b)}`, Comparison);
    const table = formatTable(
      ['metric', 'A', 'B', 'B / A'],
      body.metrics.map((m) => [m.name, num(m.a, 3), num(m.b, 3), m.ratio === null ? '-' : `${m.ratio}x`]),
    );
    return { data: body, text: `A: ${body.a.scenario} ${body.a.created_at}\nB: ${body.b.scenario} ${body.b.created_at}\n\n${table}` };
  },
});

export const cancel = defineCommand({
  name: 'loadtest cancel',
  usage: 'loadtest cancel ID',
  summary: 'stop a running load test (its numbers up to then are kept)',
  args: z.object({ _: positionals([arg('ID')]) }),
  async run({ _: [id] }, ctx) {
    const body = await post(ctx.lab, `/lab/v1/loadtests/${seg(id)}/cancel`, z.unknown());
    return { data: body, text: 'Cancel requested.' };
  },
});
