import { z } from 'zod';
import { PREDICTION_METRICS, Prediction, Predictions } from '../contracts/predictions.js';
import { post } from './api.js';
import { noArgs, positionals } from './args.js';
import { callCommand } from './call-command.js';
import { defineCommand, type CommandContext } from './command.js';
import { formatTable, num } from './format.js';

const signed = (x: number | null) => (x === null ? '–' : `${x > 0 ? '+' : ''}${num(x, 1)} %`);

function row(p: z.output<typeof Prediction>): string[] {
  return [
    String(p.id),
    p.metric,
    signed(p.predicted_pct),
    `${p.before.scenario} ${p.before.run.slice(0, 8)}`,
    p.after ? p.after.run.slice(0, 8) : 'not run yet',
    signed(p.measured_pct),
    p.off_by_points === null ? '–' : `${p.off_by_points > 0 ? '+' : ''}${num(p.off_by_points, 1)}`,
    p.differed.join(', ') || (p.after ? 'nothing' : ''),
    p.note,
  ];
}
const HEAD = ['#', 'metric', 'predicted', 'baseline', 'measured by', 'measured', 'off by (points)', 'knobs that differed', 'note'];

export const predict = defineCommand({
  name: 'tune predict',
  usage: `tune predict CHANGE_PCT [--metric ${PREDICTION_METRICS.join('|')}] [--note TEXT]`,
  summary:
    'predict how the next run will change against the newest finished one (e.g. `tune predict 20` for +20 % req/s); the next run of its scenario measures it',
  flags: { metric: 'string', note: 'string' },
  args: noArgs.extend({
    _: positionals([
      z
        .string({ error: 'CHANGE_PCT is required' })
        .regex(/^[-+]?\d+(\.\d+)?$/, 'CHANGE_PCT must be a number, e.g. 20 or -15')
        .transform(Number),
    ]),
    metric: z.enum(PREDICTION_METRICS, { error: `--metric must be one of ${PREDICTION_METRICS.join(', ')}` }).optional(),
    note: z.string().optional(),
  }),
  async run({ _: [change], metric, note }, ctx: CommandContext) {
    const p = await post(ctx.lab, '/lab/v1/tuning/predictions', Prediction, { change_pct: change, ...(metric ? { metric } : {}), ...(note ? { note } : {}) });
    return {
      data: p,
      text: `Prediction ${p.id}: ${p.metric} ${signed(p.predicted_pct)} against run ${p.before.run.slice(0, 8)} (${p.before.scenario}, ${num(p.before.value, 1)}).\n${ctx.style.dim(`Change one thing, then run ${p.before.scenario} again; \`tune predictions\` shows the measurement.`)}`,
    };
  },
});

export const predictions = callCommand({
  name: 'tune predictions',
  summary: 'every prediction with the run that measured it and how far off it was (kept across restarts)',
  path: '/lab/v1/tuning/predictions',
  reply: Predictions,
  show: (r) => ({
    data: r,
    text: r.predictions.length ? formatTable(HEAD, r.predictions.map(row)) : 'No predictions yet: `tune predict 20` after a load test.',
  }),
});
