import { parseArgs } from 'node:util';
import type { Comparison } from '../loadtest/compare.js';
import type { LoadSummary } from '../loadtest/protocol.js';
import type { RunView } from '../loadtest/run.js';
import type { Scenario } from '../loadtest/scenarios.js';
import { api } from './http-client.js';
import { CliError, formatTable } from './output.js';

const USAGE = `usage: lab loadtest <scenario> [--connections N] [--duration S] [--rate R] [--warmup S]
       lab loadtest scenarios | list | show ID | compare A B`;
const POLL_MS = 500;

const n = (x: number | null | undefined, digits = 0) =>
  x === null || x === undefined ? '-' : x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ms = (x: number | null | undefined) => (x === null || x === undefined ? '-' : `${n(x, x < 10 ? 2 : 1)} ms`);

/** `lab loadtest …`: start a scenario in the running lab and follow it, or look at past runs. */
export async function loadtestCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (!sub) throw new CliError(USAGE);
  if (sub === 'scenarios') return scenarios();
  if (sub === 'list') return list();
  if (sub === 'show') return show(rest[0]);
  if (sub === 'compare') return compare(rest[0], rest[1]);
  return run(sub, rest);
}

async function run(scenario: string, args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { connections: { type: 'string' }, duration: { type: 'string' }, rate: { type: 'string' }, warmup: { type: 'string' } } });
  const body: Record<string, unknown> = { scenario };
  for (const [flag, field] of [['connections', 'connections'], ['duration', 'duration_s'], ['rate', 'rate'], ['warmup', 'warmup_s']] as const) {
    const v = values[flag];
    if (v === undefined || v === '') continue;
    if (!/^\d+$/.test(v)) throw new CliError(`--${flag} must be a whole number, got '${v}'`);
    body[field] = Number(v);
  }
  const { body: started } = await api<{ id: string; run: RunView }>('POST', '/lab/v1/loadtests', body);
  const p = started.run.params;
  console.log(`Load test ${started.id}: ${scenario}, ${p.connections.toLocaleString('en-US')} connections, ${p.duration_s} s${p.rate ? `, paced to ${p.rate.toLocaleString('en-US')} req/s` : ', closed loop'} → ${started.run.target}`);
  const final = await follow(started.id);
  printRun(final);
  if (final.state === 'failed') throw new CliError(`The load test failed: ${final.error ?? 'unknown error'}`);
  if (final.state === 'cancelled') throw new CliError('The load test was cancelled; the numbers above cover what ran until then.', 130);
  if ((final.summary?.errors ?? 0) > 0) throw new CliError(`${n(final.summary!.errors)} requests failed (see the status codes above).`);
}

/** Polls the run, drawing one progress line (rewritten in place on a terminal); the first Ctrl-C cancels it. */
async function follow(id: string): Promise<RunView> {
  const tty = process.stdout.isTTY;
  let cancelled = false;
  const onSigint = () => {
    if (cancelled) return;
    cancelled = true;
    console.log('\nCancelling...');
    void api('POST', `/lab/v1/loadtests/${id}/cancel`).catch(() => undefined);
  };
  process.on('SIGINT', onSigint);
  let lastPrinted = -1;
  let notes = 0;
  try {
    for (;;) {
      const { body: r } = await api<RunView>('GET', `/lab/v1/loadtests/${id}`);
      for (; notes < r.notes.length; notes++) console.log(`  ${r.notes[notes]}`);
      if (!['preparing', 'running'].includes(r.state)) {
        if (tty) process.stdout.write('\n');
        return r;
      }
      const p = r.progress;
      if (p && r.state === 'running') {
        const line = `[${String(Math.round(p.elapsed_s)).padStart(4)}/${p.duration_s} s] ${p.phase ?? ''} ${n(p.connections)} conn | ${n(p.requests_per_s)} req/s | p50 ${ms(p.latency_ms?.p50)} p99 ${ms(p.latency_ms?.p99)} | ${n(p.requests)} requests, ${n(p.errors)} errors`;
        if (tty) process.stdout.write(`\r${line.padEnd(110)}`);
        else if (Math.floor(p.elapsed_s / 5) !== lastPrinted) {
          lastPrinted = Math.floor(p.elapsed_s / 5);
          console.log(line);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    process.off('SIGINT', onSigint);
  }
}

function printRun(r: RunView): void {
  const s = r.summary;
  console.log(`\n${r.scenario} · ${r.state} · ${r.created_at}`);
  if (!s) return;
  printSummary(s);
}

function printSummary(s: LoadSummary): void {
  console.log(
    formatTable(
      ['requests', 'seconds', 'req/s', 'p50', 'p90', 'p95', 'p99', 'max', 'errors', 'timeouts', 'non-2xx'],
      [[n(s.requests), n(s.duration_s, 1), n(s.requests_per_s, 1), ms(s.latency_ms?.p50), ms(s.latency_ms?.p90), ms(s.latency_ms?.p95), ms(s.latency_ms?.p99), ms(s.latency_ms?.max), n(s.errors), n(s.timeouts), n(s.non2xx)]],
    ),
  );
  const ops = Object.entries(s.ops);
  if (ops.length > 0) {
    console.log();
    console.log(
      formatTable(
        ['operation', 'share', 'expected', 'requests', 'errors', 'statuses', 'p50', 'p99'],
        ops.map(([op, o]) => [
          op, `${n(o.share * 100, 1)} %`, `${n(o.expected_share * 100, 1)} %`, n(o.requests), n(o.errors),
          Object.entries(o.statuses).map(([code, count]) => `${code}×${count}`).join(' '), ms(o.latency_ms?.p50), ms(o.latency_ms?.p99),
        ]),
      ),
    );
  }
  const codes = Object.entries(s.status_codes).map(([code, count]) => `${code} × ${n(count)}`).join(', ');
  console.log(`\nstatus codes: ${codes || 'none'}${s.socket_errors ? `; socket errors: ${n(s.socket_errors)}` : ''}${s.stopped_early ? ' (stopped early)' : ''}`);
}

async function scenarios(): Promise<void> {
  const { body } = await api<{ scenarios: (Scenario & { op_shares: Record<string, number> })[] }>('GET', '/lab/v1/loadtests/scenarios');
  for (const s of body.scenarios) {
    console.log(`${s.name.padEnd(17)} ${s.title}\n${' '.repeat(18)}${s.description}\n`);
  }
}

async function list(): Promise<void> {
  const { body } = await api<{ runs: RunView[] }>('GET', '/lab/v1/loadtests');
  console.log(
    formatTable(
      ['id', 'scenario', 'state', 'connections', 'seconds', 'req/s', 'p99', 'errors', 'created'],
      body.runs.map((r) => [r.id, r.scenario, r.state, n(r.params.connections), r.params.duration_s, n(r.summary?.requests_per_s, 1), ms(r.summary?.latency_ms?.p99), n(r.summary?.errors), r.created_at]),
    ),
  );
}

async function show(id: string | undefined): Promise<void> {
  if (!id) throw new CliError(USAGE);
  const { body } = await api<RunView>('GET', `/lab/v1/loadtests/${encodeURIComponent(id)}`);
  for (const note of body.notes) console.log(`  ${note}`);
  printRun(body);
  if (body.error) console.log(`error: ${body.error}`);
}

async function compare(a: string | undefined, b: string | undefined): Promise<void> {
  if (!a || !b) throw new CliError(USAGE);
  const { body } = await api<Comparison>('GET', `/lab/v1/loadtests/compare?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`);
  console.log(`A: ${body.a.scenario} ${body.a.created_at}\nB: ${body.b.scenario} ${body.b.created_at}\n`);
  console.log(formatTable(['metric', 'A', 'B', 'B / A'], body.metrics.map((m) => [m.name, n(m.a, 3), n(m.b, 3), m.ratio === null ? '-' : `${m.ratio}x`])));
}
