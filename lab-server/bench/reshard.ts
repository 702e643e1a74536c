/**
 * `npm run bench:reshard`: USERS (default 1,000,000) users on 5 fresh embedded shards, then a 6th shard added
 * online while a separate process writes at a steady RATE (default 200 req/s). Prints rows moved, copy rate,
 * the write pause at cutover, requests failed during the job (goal: 0), the verify result, and the writer's
 * throughput during the move against its own baseline measured just before, in the same run. Then, under the
 * same writer, shard-0 gets a replica that is promoted (a switchover): its pause and failed requests.
 */
import { fork } from 'node:child_process';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config.js';
import { startLab } from '../src/server/start.js';
import { freePortRange } from '../test/support/servers.js';
import { benchClient } from './support.js';

const USERS = Number(process.env.USERS ?? 1_000_000);
const RATE = Number(process.env.RATE ?? 200);
const here = path.dirname(fileURLToPath(import.meta.url));

interface WriterReport {
  ok: number;
  failed: number;
  failures: string[];
  final?: boolean;
}

const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'shard-lab-bench-reshard-'));
await fsp.chmod(dir, 0o755);
const running = await startLab(
  loadConfig({ PORT: '0', LAB_DATA_DIR: dir, LAB_SHARD_COUNT: '5', LAB_SHARD_BASE_PORT: String((await freePortRange(8)) + 1) }),
  () => undefined,
);
const { call, waitJob } = benchClient(running.url);

try {
  console.log(`Seeding ${USERS.toLocaleString('en-US')} users on 5 shards…`);
  const seed = await waitJob((await call<{ job_id: string }>('POST', '/lab/v1/seed', { users: USERS })).job_id);
  if (seed.state !== 'succeeded') throw new Error(`seed ${seed.state}: ${seed.error?.message}`);

  const writer = fork(path.join(here, 'reshard-writer.ts'), [running.url, String(RATE)], { execArgv: process.execArgv });
  const reports: WriterReport[] = [];
  writer.on('message', (m) => reports.push(m as WriterReport));
  const last = () => reports.at(-1) ?? { ok: 0, failed: 0, failures: [] };
  await new Promise((r) => setTimeout(r, 5_000));
  const baseStart = last();
  await new Promise((r) => setTimeout(r, 5_000));
  const baseEnd = last();
  const baseline = (baseEnd.ok - baseStart.ok) / 5;

  console.log(`Adding shard-5 under ${RATE} writes/s…`);
  const t0 = performance.now();
  const before = last();
  const job = await waitJob((await call<{ job_id: string }>('POST', '/lab/v1/shards', { mode: 'rebalance' })).job_id);
  const seconds = (performance.now() - t0) / 1000;
  const during = last();

  console.log('Adding a replica to shard-0, then promoting it under the same writes…');
  await call('POST', '/lab/v1/shards/shard-0/replicas');
  const streaming = async () =>
    (await call<{ shards: { name: string; replicas: { state: string | null }[] }[] }>('GET', '/lab/v1/topology')).shards[0]!.replicas[0]?.state === 'streaming';
  while (!(await streaming())) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 1_000));
  const beforePromotion = last();
  const promotion = await call<{ kind: string; pause_ms: number; writes_at_risk: { count: number } }>('POST', '/lab/v1/shards/shard-0/promote');
  await new Promise((r) => setTimeout(r, 1_000));
  const afterPromotion = last();
  writer.send('stop');
  const final = await new Promise<WriterReport>((resolve) => writer.on('message', (m) => (m as WriterReport).final && resolve(m as WriterReport)));

  const result = (job.result ?? {}) as { moved_rows?: number; pause_ms?: number; verify_pause_ms?: number; verify?: { ok: boolean } };
  const throughput = (during.ok - before.ok) / seconds;
  console.log(`\njob: ${job.state}${job.error ? ` (${job.error.message})` : ''}`);
  for (const n of job.notes ?? []) console.log(`  ${n.at.slice(11, 23)} [${n.phase}] ${n.message}`);
  console.log(
    `rows moved:               ${(result.moved_rows ?? 0).toLocaleString('en-US')} in ${seconds.toFixed(1)} s (${Math.round((result.moved_rows ?? 0) / seconds).toLocaleString('en-US')} rows/s)`,
  );
  console.log(`write pause at cutover:   ${result.pause_ms ?? '-'} ms (and ${result.verify_pause_ms ?? '-'} ms earlier, to take the verify snapshots)`);
  console.log(`verify:                   ${result.verify?.ok ? 'counts and per-row checksums match' : 'FAILED'}`);
  console.log(
    `requests failed during:   ${during.failed - before.failed} (goal: 0); in the whole run: ${final.failed}${final.failures.length ? ` e.g. ${final.failures[0]}` : ''}`,
  );
  console.log(
    `writer throughput:        ${throughput.toFixed(0)} req/s during the move vs ${baseline.toFixed(0)} req/s before: ${(throughput / baseline).toFixed(2)}x`,
  );
  console.log(
    `promotion of shard-0:     ${promotion.kind}, requests to its keys paused ${promotion.pause_ms} ms, ${afterPromotion.failed - beforePromotion.failed} failed (goal: 0), ${promotion.writes_at_risk.count} acknowledged writes at risk`,
  );
} finally {
  await running.stop();
  await fsp.rm(dir, { recursive: true, force: true });
}
