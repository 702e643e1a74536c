/**
 * `npm run bench:api`: how fast the lab answers GET /api/v1/users/:id, against a baseline measured in the
 * same run — a bare node:http + pg server doing the same point lookup with the same routing on the same
 * shards (bare-server.ts). Both run in their own processes; autocannon runs in a third (100 connections).
 * Rounds alternate (baseline, lab, baseline, lab, …) and each ratio compares a lab round with the baseline
 * round just before it, so that drift on a busy machine hits both alike; the medians of those ratios are reported.
 * Goal: the lab ≥ 0.8× the baseline's throughput with p99 ≤ 1.5× the baseline's.
 * Env: SHARDS (5), USERS (10000), CONNECTIONS (100), DURATION (6 s per round), ROUNDS (5), LAB_WORKERS (unset),
 * PROFILE=dir (write V8 CPU profiles of both servers to dir/lab and dir/bare: open them in Chrome DevTools).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../src/config.js';
import { startGenerator } from '../src/loadtest/generator.js';
import type { LoadSummary } from '../src/loadtest/protocol.js';
import { execArgvFor } from '../src/process/fork-args.js';
import { freePort, startTestServers } from '../test/support/servers.js';
import { userIds } from './support.js';

const SHARDS = Number(process.env.SHARDS ?? 5);
const USERS = Number(process.env.USERS ?? 10_000);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 100);
const DURATION = Number(process.env.DURATION ?? 6);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const GOAL = { throughput: 0.8, p99: 1.5 };

/** Starts a server process and resolves with its URL once it prints one. */
function startServer(entry: string, env: Record<string, string>, ready: RegExp, flags: string[] = []): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn(process.execPath, [...flags, ...execArgvFor(entry), entry], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = ready.exec(out);
      if (m) resolve({ proc, url: m[1]! });
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`${path.basename(entry)} exited (${code}):\n${out}`)));
  });
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await exited;
}

async function labCall<T>(url: string, method: string, p: string, body?: unknown): Promise<T> {
  const res = await fetch(url + p, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status >= 400) throw new Error(`${method} ${p} → ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

const profileFlags = (name: string) => (process.env.PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.PROFILE, name)}`] : []);

/** CPU time (µs, user + system) a process and its children (prefork workers) have used so far; null without /proc. */
async function cpuMicros(pid: number | undefined): Promise<number | null> {
  try {
    const children = (await fsp.readFile(`/proc/${pid}/task/${pid}/children`, 'utf8')).split(' ').filter(Boolean);
    let total = 0;
    for (const p of [String(pid), ...children]) {
      const stat = await fsp.readFile(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += ((Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS) * 1e6;
    }
    return total;
  } catch {
    return null;
  }
}
const CLOCK_TICKS = 100;

function load(url: string, ids: string[], seconds: number): Promise<LoadSummary> {
  return startGenerator(
    {
      url,
      flows: [{ weight: 1, steps: ['user.get'] }],
      phases: [{ label: 'bench', connections: CONNECTIONS, duration_s: seconds, rate: null }],
      warmup_s: 0, // the rounds begin with an explicit warm-up of each server
      data: { user_ids: ids, conversations: [], hot: null },
    },
    () => undefined,
    seconds * 1000 + 30_000,
  ).result;
}

const servers = await startTestServers(SHARDS + 1);
const shardUrls = servers.urls.slice(0, SHARDS);
const procs: ChildProcess[] = [];
try {
  console.log(
    `${SHARDS} shards, ${USERS.toLocaleString('en-US')} users, ${CONNECTIONS} connections, ${ROUNDS} × ${DURATION} s per server, ${os.cpus().length} cores`,
  );
  const lab = await startServer(
    path.join(REPO_ROOT, 'lab-server/src/main.ts'),
    {
      PORT: String(await freePort()),
      LAB_SHARDS: shardUrls.join(','),
      LAB_CATALOG_URL: servers.urls[SHARDS]!,
      ...(process.env.LAB_WORKERS ? { LAB_WORKERS: process.env.LAB_WORKERS } : {}),
    },
    /is ready at (http:\/\/\S+)/,
    profileFlags('lab'),
  );
  procs.push(lab.proc);
  const { job_id } = await labCall<{ job_id: string }>(lab.url, 'POST', '/lab/v1/seed', { users: USERS });
  while ((await labCall<{ state: string }>(lab.url, 'GET', `/lab/v1/jobs/${job_id}`)).state !== 'succeeded') await new Promise((r) => setTimeout(r, 200));
  const bare = await startServer(
    path.join(REPO_ROOT, 'lab-server/bench/bare-server.ts'),
    { SHARD_URLS: shardUrls.join(',') },
    /listening (http:\/\/\S+)/,
    profileFlags('bare'),
  );
  procs.push(bare.proc);
  const ids = await userIds(shardUrls);

  console.log('warming up both servers (3 s each)...');
  await load(bare.url, ids, 3);
  await load(lab.url, ids, 3);
  const results: Record<'bare' | 'lab', (LoadSummary & { cpu_us_per_request: number | null })[]> = { bare: [], lab: [] };
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [name, server] of [
      ['bare', bare],
      ['lab', lab],
    ] as const) {
      const cpuBefore = await cpuMicros(server.proc.pid);
      const r = await load(server.url, ids, DURATION);
      const cpuAfter = await cpuMicros(server.proc.pid);
      const cpu = cpuBefore !== null && cpuAfter !== null ? Math.round((cpuAfter - cpuBefore) / r.requests) : null;
      results[name].push({ ...r, cpu_us_per_request: cpu });
      console.log(
        `  round ${round} ${name.padEnd(4)} ${String(r.requests_per_s).padStart(9)} req/s  p50 ${r.latency_ms?.p50} ms  p99 ${r.latency_ms?.p99} ms  errors ${r.errors}  server CPU ${cpu ?? '?'} µs/request`,
      );
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const summary = (rs: (LoadSummary & { cpu_us_per_request: number | null })[]) => ({
    rps: median(rs.map((r) => r.requests_per_s)),
    p50: median(rs.map((r) => r.latency_ms?.p50 ?? 0)),
    p99: median(rs.map((r) => r.latency_ms?.p99 ?? 0)),
    errors: rs.reduce((s, r) => s + r.errors, 0),
    cpu: median(rs.map((r) => r.cpu_us_per_request ?? 0)),
  });
  const b = summary(results.bare);
  const l = summary(results.lab);
  const row = (label: string, s: typeof b) =>
    `${label.padEnd(34)} ${s.rps.toLocaleString('en-US').padStart(10)} req/s   p50 ${String(s.p50).padStart(6)} ms   p99 ${String(s.p99).padStart(6)} ms   errors ${s.errors}   CPU ${s.cpu} µs/request`;
  console.log(`\nmedian of ${ROUNDS} rounds:`);
  console.log(row('baseline: node:http + pg', b));
  console.log(row(`lab: GET /api/v1/users/:id${process.env.LAB_WORKERS ? ` (${process.env.LAB_WORKERS} workers)` : ''}`, l));
  const ratios = results.lab.map((r, i) => ({
    tput: r.requests_per_s / results.bare[i]!.requests_per_s,
    p99: (r.latency_ms?.p99 ?? 0) / (results.bare[i]!.latency_ms?.p99 ?? 1),
  }));
  const tput = median(ratios.map((r) => r.tput));
  const p99 = median(ratios.map((r) => r.p99));
  console.log(
    `ratio (median of the ${ROUNDS} paired rounds): throughput ${tput.toFixed(2)}x (goal ≥ ${GOAL.throughput}), p99 ${p99.toFixed(2)}x (goal ≤ ${GOAL.p99})`,
  );
  console.log(tput >= GOAL.throughput && p99 <= GOAL.p99 && b.errors + l.errors === 0 ? 'goal: met' : 'goal: MISSED');
} finally {
  for (const p of procs) await stop(p);
  await servers.stop();
}
