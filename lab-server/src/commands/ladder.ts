import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { LadderViewSchema, RUNGS, type LadderView } from '../contracts/ladder.js';
import { get, request } from './api.js';
import { positionals, wholeNumber } from './args.js';
import { CommandError, defineCommand } from './command.js';
import { formatTable } from './format.js';

const POLL_MS = 1_000;
const num = (n: number | null) => (n === null ? '–' : n.toLocaleString('en-US'));
const times = (r: number | null) => (r === null ? '–' : `${r.toFixed(2)}×`);
const RUNG_LIST = RUNGS.join(',');
/** A rung's runs and their spread: "412 · 380 · 455 (±18 %)"; "within noise" when its range overlaps the first rung's. */
const spread = (s: LadderView['steps'][number]) =>
  s.runs_rps.length < 2 ? '–' : `${s.runs_rps.map(num).join(' · ')} (spread ${s.spread_percent ?? 0} %)${s.within_noise ? ', within noise' : ''}`;

/** The climb as a table: one line per rung, ratios against the first rung measured. */
export function ladderText(v: LadderView): string {
  if (!v.request) return `No climb yet. Start one: ladder climb [SCENARIO] [--duration S] [--repeats N] [--connections N] [--rungs ${RUNG_LIST}]`;
  const head = `${v.request.scenario}, ${v.request.connections} connections, ${v.request.repeats} × ${v.request.duration_s} s per rung (medians) — ${v.state}${v.current ? ` (on ${v.current})` : ''}`;
  const rows = v.steps.map((s) =>
    s.skipped
      ? [s.rung, `skipped: ${s.skipped}`, '', '', '', '', '', '', '', '']
      : [
          s.rung,
          s.setup.join(', '),
          num(s.requests_per_s),
          times(s.rps_ratio),
          spread(s),
          s.p99_ms === null ? '–' : `${s.p99_ms} ms`,
          times(s.p99_ratio),
          `${num(s.errors)} of ${num(s.requests)}`,
          s.replica_reads ? `${num(s.stale_reads)} of ${num(s.replica_reads)}` : '–',
          s.lag_bytes_max === null ? '–' : `${num(s.lag_bytes_max)} B${s.lag_ms_max === null ? '' : ` / ${num(Math.round(s.lag_ms_max))} ms`}`,
        ],
  );
  const table = formatTable(['rung', 'switched on', 'req/s', 'vs first', 'runs (spread)', 'p99', 'vs first', 'errors', 'stale replica reads', 'max lag'], rows);
  return [head, table, ...(v.error ? [`Failed: ${v.error}`] : [])].join('\n');
}

export const show = defineCommand({
  name: 'ladder',
  usage: 'ladder',
  summary: 'the last climb of the scaling ladder: req/s, p99, errors, stale reads and replica lag per rung, with ratios',
  args: z.object({ _: z.tuple([]) }),
  async run(_args, ctx) {
    const v = await get(ctx.lab, '/lab/v1/ladder', LadderViewSchema);
    return { data: v, text: ladderText(v) };
  },
});

export const climb = defineCommand({
  name: 'ladder climb',
  interruptible: true,
  usage: `ladder climb [SCENARIO] [--duration S] [--repeats N] [--connections N] [--rungs ${RUNG_LIST}] [--replica-reads replica|read-your-writes]`,
  summary: `run the same load test N times on each rung (${RUNGS.join(' → ')}), each keeping the ones below; Ctrl-C cancels`,
  flags: { duration: 'string', repeats: 'string', connections: 'string', rungs: 'string', 'replica-reads': 'string' },
  args: z.object({
    _: positionals([z.string().optional()]),
    duration: wholeNumber('--duration', 2).optional(),
    repeats: wholeNumber('--repeats', 1).optional(),
    connections: wholeNumber('--connections', 1).optional(),
    rungs: z.string().optional(),
    'replica-reads': z.string().optional(),
  }),
  complete: (index) => (index === 0 ? ['read-heavy', 'standard', 'smoke', 'write-heavy', 'crud'] : []),
  async run({ _: [scenario], duration, repeats, connections, rungs, 'replica-reads': replicaReads }, ctx) {
    const body = {
      ...(scenario ? { scenario } : {}),
      ...(duration === undefined ? {} : { duration_s: duration }),
      ...(repeats === undefined ? {} : { repeats }),
      ...(connections === undefined ? {} : { connections }),
      ...(rungs === undefined ? {} : { rungs: rungs.split(',').map((r) => r.trim()) }),
      ...(replicaReads === undefined ? {} : { replica_reads: replicaReads }),
    };
    let v = (await request(ctx.lab, 'POST', '/lab/v1/ladder', LadderViewSchema, body)).body;
    let cancelling = false;
    try {
      while (v.state === 'running') {
        if (ctx.signal.aborted && !cancelling) {
          cancelling = true;
          await ctx.lab.call('DELETE', '/lab/v1/ladder');
        }
        ctx.out.progress({ title: 'ladder', done: v.steps.length, total: v.request?.rungs.length ?? RUNGS.length, state: v.current ?? 'starting' });
        await sleep(POLL_MS);
        v = await get(ctx.lab, '/lab/v1/ladder', LadderViewSchema);
      }
    } finally {
      ctx.out.endProgress();
    }
    const text = ladderText(v);
    if (v.state === 'failed') throw new CommandError(text);
    if (v.state === 'cancelled') return { data: v, text: `${text}\nThe climb was cancelled; the lab was put back as it was.`, exitCode: 130 };
    return { data: v, text };
  },
});
