/**
 * `npm run bench:tracing`: what the request tracer costs. One lab process serves GET /api/v1/users/:id to
 * autocannon (in this process, 50 connections), in rounds that alternate untraced (no header) and traced
 * (every request carries a sampled `traceparent`, so every request records its spans and the lab keeps the
 * last 100). Each traced round is compared with the untraced round just before it, so drift on a busy machine
 * hits both alike; the medians of those paired ratios are reported.
 * The untraced rounds after the first run with OpenTelemetry's context manager already active (it starts with
 * the first traced request): the first round is the lab as it runs before anyone traces anything.
 * Env: SHARDS (3), USERS (5000), CONNECTIONS (50), DURATION (5 s per round), ROUNDS (4).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { REPO_ROOT } from '../src/config.js';
import { execArgvFor } from '../src/process/fork-args.js';
import { freePort, startTestServers } from '../test/support/servers.js';
import { userIds } from './support.js';

const SHARDS = Number(process.env.SHARDS ?? 3);
const USERS = Number(process.env.USERS ?? 5_000);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50);
const DURATION = Number(process.env.DURATION ?? 5);
const ROUNDS = Number(process.env.ROUNDS ?? 4);

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
} finally {
  if (lab && lab.exitCode === null) {
    const exited = new Promise((r) => lab!.once('exit', r));
    lab.kill('SIGTERM');
    await exited;
  }
  await servers.stop();
}
