import { formatTable, ms, num } from './format.js';
import type { LoadSummary, RunView } from './replies.js';

/** How a load-test run reads on the CLI and in the terminal: its header line and summary tables. */
export function runText(r: RunView): string {
  const head = `${r.scenario} · ${r.state} · ${r.created_at}`;
  const marks = (r.marks ?? []).map(
    (m) =>
      `at ${num(m.t_s)} s: ${m.label}${m.around ? ` — ${num(m.around.before_rps, 1)} req/s before (${m.around.before_s} s), ${num(m.around.after_rps, 1)} after (${m.around.after_s} s): ${m.around.ratio}×` : ''}`,
  );
  const body = [head, ...(r.summary ? [summaryText(r.summary)] : []), ...(marks.length > 0 ? [marks.join('\n')] : [])];
  return body.join('\n');
}

function summaryText(s: LoadSummary): string {
  const parts = [
    formatTable(
      ['requests', 'seconds', 'req/s', 'p50', 'p90', 'p95', 'p99', 'max', 'errors', 'timeouts', 'non-2xx'],
      [
        [
          num(s.requests),
          num(s.duration_s, 1),
          num(s.requests_per_s, 1),
          ms(s.latency_ms?.p50),
          ms(s.latency_ms?.p90),
          ms(s.latency_ms?.p95),
          ms(s.latency_ms?.p99),
          ms(s.latency_ms?.max),
          num(s.errors),
          num(s.timeouts),
          num(s.non2xx),
        ],
      ],
    ),
  ];
  const ops = Object.entries(s.ops);
  if (ops.length > 0) {
    parts.push(
      formatTable(
        ['operation', 'share', 'expected', 'requests', 'errors', 'statuses', 'p50', 'p99'],
        ops.map(([op, o]) => [
          op,
          `${num(o.share * 100, 1)} %`,
          `${num(o.expected_share * 100, 1)} %`,
          num(o.requests),
          num(o.errors),
          Object.entries(o.statuses)
            .map(([code, count]) => `${code}×${count}`)
            .join(' '),
          ms(o.latency_ms?.p50),
          ms(o.latency_ms?.p99),
        ]),
      ),
    );
  }
  const codes = Object.entries(s.status_codes)
    .map(([code, count]) => `${code} × ${num(count)}`)
    .join(', ');
  parts.push(
    `status codes: ${codes || 'none'}${s.socket_errors ? `; socket errors: ${num(s.socket_errors)}` : ''}${s.stopped_early ? ' (stopped early)' : ''}`,
  );
  if (s.cpu) parts.push(cpuText(s.cpu));
  return parts.join('\n\n');
}

/** Where the run's CPU went, per part and process, and which part was nearest its limit. */
export function cpuText(c: NonNullable<LoadSummary['cpu']>): string {
  const rows = c.parts.flatMap((p) => [
    [p.part, '', num(p.cpu_s, 1), num(p.cores, 2), `${num(p.capacity_cores)}`, `${num(p.utilisation * 100)} %`],
    ...p.processes.map((x) => [`  ${x.name}`, String(x.pid), num(x.cpu_s, 1), num(x.cores, 2), '', '']),
  ]);
  return [
    `CPU over ${num(c.window_s, 1)} s of the run (${c.machine_cores} cores, ${num(c.machine_busy * 100)} % busy):`,
    formatTable(['part', 'pid', 'cpu s', 'cores', 'can use', 'of that'], rows),
    `limit: ${c.limit} — ${c.why}`,
  ].join('\n');
}

/** One line of live progress. */
export function progressLine(r: RunView): string | null {
  const p = r.progress;
  if (!p || r.state !== 'running') return null;
  return `[${String(Math.round(p.elapsed_s)).padStart(4)}/${p.duration_s} s] ${p.phase ?? ''} ${num(p.connections)} conn | ${num(p.requests_per_s)} req/s | p50 ${ms(p.latency_ms?.p50)} p99 ${ms(p.latency_ms?.p99)} | ${num(p.requests)} requests, ${num(p.errors)} errors`;
}

export function runsTable(runs: readonly RunView[]): string {
  return formatTable(
    ['id', 'scenario', 'state', 'connections', 'seconds', 'req/s', 'p99', 'errors', 'created'],
    runs.map((r) => [
      r.id,
      r.scenario,
      r.state,
      num(r.params.connections),
      r.params.duration_s,
      num(r.summary?.requests_per_s, 1),
      ms(r.summary?.latency_ms?.p99),
      num(r.summary?.errors),
      r.created_at,
    ]),
  );
}
