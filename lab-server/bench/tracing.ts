/**
 * `npm run bench:tracing`: what the request tracer costs. One lab process serves GET /api/v1/users/:id to
 * autocannon (in this process, 50 connections), in rounds that alternate untraced (no header) and traced
 * (every request carries a sampled `traceparent`, so every request records its spans and the lab keeps the
 * last 100). Each traced round is compared with the untraced round just before it, so drift on a busy machine
 * hits both alike; the medians of those paired ratios are reported.
 * The untraced rounds after the first run with OpenTelemetry's context manager already active (it starts with
 * the first traced request): the first round is the lab as it runs before anyone traces anything.
 * First, in this process, what the hooks cost when nothing is traced: a call through `inSpan`/`inSpanSync`
 * with no current span against the same call made directly (HOOK_CALLS times each, alternating), then that
 * cost times the hooks a read by id passes, beside the untraced rounds' median latency.
 * Env: SHARDS (3), USERS (5000), CONNECTIONS (50), DURATION (5 s per round), ROUNDS (4), HOOK_CALLS (1,000,000).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { REPO_ROOT } from '../src/config.js';
import { execArgvFor } from '../src/process/fork-args.js';
import { inSpan, inSpanSync, installTracing } from '../src/tracing/tracing.js';
import { freePort, startTestServers } from '../test/support/servers.js';
import { userIds } from './support.js';

const SHARDS = Number(process.env.SHARDS ?? 3);
const USERS = Number(process.env.USERS ?? 5_000);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50);
const DURATION = Number(process.env.DURATION ?? 5);
const ROUNDS = Number(process.env.ROUNDS ?? 4);
const HOOK_CALLS = Number(process.env.HOOK_CALLS ?? 1_000_000);

/** Nanoseconds per call of `call`, over HOOK_CALLS calls. */
async function perCall(call: (i: number) => Promise<number> | number): Promise<number> {
  const started = process.hrtime.bigint();
  let sink = 0;
  for (let i = 0; i < HOOK_CALLS; i++) sink += await call(i);
  if (sink === -1) console.log(sink);
  return Number(process.hrtime.bigint() - started) / HOOK_CALLS;
}

/**
 * The hooks as an untraced request meets them: the provider and context manager installed (as in the lab),
 * no current span. Three alternating rounds each; the medians.
 */
async function hookCost(): Promise<{ direct: number; hooked: number; directSync: number; hookedSync: number }> {
  installTracing([]);
  const work = async (i: number) => i;
  const workSync = (i: number) => i;
  const rounds: number[][] = [[], [], [], []];
  for (let r = 0; r < 3; r++) {
    rounds[0]!.push(await perCall(work));
    rounds[1]!.push(await perCall((i) => inSpan('hook', {}, () => work(i))));
    rounds[2]!.push(await perCall(workSync));
    rounds[3]!.push(await perCall((i) => inSpanSync('hook', () => workSync(i))));
  }
  const [direct, hooked, directSync, hookedSync] = rounds.map((xs) => [...xs].sort((a, b) => a - b)[1]!);
  return { direct: direct!, hooked: hooked!, directSync: directSync!, hookedSync: hookedSync! };
}

function startLab(env: Record<string, string>): Promise<{ proc: ChildProcess; url: string }> {
  const entry = path.join(REPO_ROOT, 'lab-server/src/main.ts');
  const proc = spawn(process.execPath, [...execArgvFor(entry), entry], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /is ready at (http:\/\/\S+)/.exec(out);
      if (m) resolve({ proc, url: m[1]! });
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`the lab exited (${code}):\n${out}`)));
  });
}

interface Round {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

async function round(url: string, ids: string[], traced: boolean, seconds: number): Promise<Round> {
  let i = 0;
  const r = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [
      {
        setupRequest: (req) => {
          req.path = `/api/v1/users/${ids[i++ % ids.length]}`;
          // A fresh trace per request, as a client that traces everything would send.
          if (traced) req.headers = { ...req.headers, traceparent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01` };
          return req;
        },
      },
    ],
  });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx };
}

const hooks = await hookCost();
const hookNs = Math.max(0, hooks.hooked - hooks.direct);
const hookSyncNs = Math.max(0, hooks.hookedSync - hooks.directSync);
console.log(
  `hooks with nothing traced (${HOOK_CALLS.toLocaleString('en-US')} calls, median of 3): inSpan ${hooks.hooked.toFixed(0)} ns vs ${hooks.direct.toFixed(0)} ns direct (+${hookNs.toFixed(0)} ns); inSpanSync ${hooks.hookedSync.toFixed(0)} ns vs ${hooks.directSync.toFixed(0)} ns (+${hookSyncNs.toFixed(0)} ns)`,
);

const servers = await startTestServers(SHARDS + 1);
let lab: ChildProcess | null = null;
try {
  console.log(
    `${SHARDS} shards, ${USERS.toLocaleString('en-US')} users, ${CONNECTIONS} connections, ${ROUNDS} × 2 rounds of ${DURATION} s, ${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(1)}`,
  );
  const started = await startLab({
    PORT: String(await freePort()),
    LAB_SHARDS: servers.urls.slice(0, SHARDS).join(','),
    LAB_CATALOG_URL: servers.urls[SHARDS]!,
  });
  lab = started.proc;
  const seed = await fetch(`${started.url}/lab/v1/seed`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ users: USERS }),
  });
  const { job_id } = (await seed.json()) as { job_id: string };
  const state = async () => ((await (await fetch(`${started.url}/lab/v1/jobs/${job_id}`)).json()) as { state: string }).state;
  while ((await state()) !== 'succeeded') await new Promise((r) => setTimeout(r, 200));
  const ids = await userIds(servers.urls.slice(0, SHARDS));

  console.log('warming up (3 s, untraced)...');
  await round(started.url, ids, false, 3);
  const pairs: { off: Round; on: Round }[] = [];
  for (let n = 1; n <= ROUNDS; n++) {
    const off = await round(started.url, ids, false, DURATION);
    const on = await round(started.url, ids, true, DURATION);
    pairs.push({ off, on });
    const line = (label: string, r: Round) =>
      `${label} ${Math.round(r.rps).toLocaleString('en-US').padStart(7)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms  errors ${r.errors}`;
    console.log(`  round ${n}  ${line('untraced', off)}   ${line('traced', on)}`);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const tput = median(pairs.map((p) => p.on.rps / p.off.rps));
  const p99 = median(pairs.map((p) => p.on.p99 / Math.max(p.off.p99, 1)));
  const kept = ((await (await fetch(`${started.url}/lab/v1/traces`)).json()) as { traces: unknown[] }).traces.length;
  console.log(`\nGET /api/v1/users/:id, every request traced against none (median of ${ROUNDS} paired rounds):`);
  console.log(`  throughput ${tput.toFixed(2)}x, p99 ${p99.toFixed(2)}x; the lab kept ${kept} traces`);
  // A read by id passes these hooks untraced: the header check, the ring lookup and the JSON (sync), the shard span and
  // the pool's query wrapper (async); count them off one traced read rather than assume.
  const probe = ids[0]!;
  const traced = (await (
    await fetch(`${started.url}/lab/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'GET', path: `/api/v1/users/${probe}` }),
    })
  ).json()) as { trace: { spans: { name: string }[] } };
  const names = traced.trace.spans.map((x) => x.name);
  const syncHooks = names.filter((n) => n === 'ring lookup' || n === 'serialise JSON').length;
  // The shard span and the pool's query wrapper; the root and `response` are the header check, counted as nothing.
  const asyncHooks = names.filter((n) => / (primary|replica)$/.test(n) || n === 'query').length;
  const perRequestUs = (syncHooks * hookSyncNs + asyncHooks * hookNs) / 1000;
  const p50 = median(pairs.map((x) => x.off.p50));
  console.log(
    `  hooks present, nothing traced: ${asyncHooks} async + ${syncHooks} sync hooks per read ≈ ${perRequestUs.toFixed(2)} µs, ${((perRequestUs / 1000 / Math.max(p50, 0.001)) * 100).toPrecision(2)} % of the untraced median latency (${p50} ms)`,
  );
} finally {
  if (lab && lab.exitCode === null) {
    const exited = new Promise((r) => lab!.once('exit', r));
    lab.kill('SIGTERM');
    await exited;
  }
  await servers.stop();
}
