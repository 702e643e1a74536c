/**
 * `npm run bench:tuning`: the tuning chapter's before/after pairs in one run. For each knob the same load runs
 * with the knob at its "before" value, then its "after" value, alternating for ROUNDS rounds so both see the
 * same machine state, turned through PUT /lab/v1/tuning/knobs as the page does; medians, success and the
 * after ÷ before ratio are printed. autocannon runs in a child process.
 * SECONDS=n (default 4) per measurement, ROUNDS=n (default 3), CONNECTIONS=n (default 50), SHARDS=n (default 5).
 */
import os from 'node:os';
import { createUsers, type Load, markdownTable, measureLoad, startBenchLab } from './support.js';
import { median as middle } from '../src/values/median.js';

const SECONDS = Number(process.env.SECONDS ?? 4);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50);
const SHARDS = Number(process.env.SHARDS ?? 5);

const load = (url: string, method: 'GET' | 'POST', paths: string[], bodies: string[] = []) =>
  measureLoad(url, method, paths, { connections: CONNECTIONS, seconds: SECONDS }, bodies);

const bench = await startBenchLab(SHARDS);
const { running } = bench;
try {
  const { url } = running;
  const call = async <T>(method: string, p: string, body: unknown): Promise<T> => {
    const res = await fetch(`${url}${p}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const turn = (knobs: Record<string, string | number | null>) =>
    Promise.all(Object.entries(knobs).map(([k, v]) => call('PUT', `/lab/v1/tuning/knobs/${k}`, { value: v })));

  console.log(`Preparing users on ${SHARDS} shards (${os.cpus().length} cores)...`);
  const users = await createUsers(call, 'User');
  const reads = () =>
    load(
      url,
      'GET',
      users.map((u) => `/api/v1/users/${u.id}`),
    );
  const writes = () => load(url, 'POST', ['/api/v1/users'], [JSON.stringify({ first_name: 'Load', last_name: 'Test' })]);

  // Each pair as the chapter's claims table runs it: only the named knobs differ between before and after.
  const pairs: { name: string; claimed: string; before: Record<string, string | number>; after: Record<string, string | number>; run: () => Promise<Load> }[] =
    [
      {
        name: 'pool 1 (100 ms wait) → 20, reads',
        claimed: '42 % → 100 % success, ~450 → 2,789 req/s',
        before: { pool_max: 1, pool_wait_timeout_ms: 100 },
        after: { pool_max: 20, pool_wait_timeout_ms: 3000 },
        run: reads,
      },
      { name: 'prepared off → on, reads', claimed: '+10–20 %', before: { prepared_statements: 'off' }, after: { prepared_statements: 'on' }, run: reads },
      { name: 'prisma → pg, reads', claimed: '+30 % (skip tx), +30–50 % (columns)', before: { data_layer: 'prisma' }, after: { data_layer: 'pg' }, run: reads },
      {
        name: 'sync commit on → off, writes',
        claimed: '2–10× on writes',
        before: { synchronous_commit: 'on' },
        after: { synchronous_commit: 'off' },
        run: writes,
      },
    ];

  const median = (xs: number[]) => middle(xs) ?? 0;
  const success = (r: Load) => (r.requests ? (100 * (r.requests - r.non2xx - r.errors)) / r.requests : 0);
  const rows: string[][] = [];
  for (const p of pairs) {
    const runs: Record<'before' | 'after', Load[]> = { before: [], after: [] };
    for (const side of ['before', 'after'] as const) {
      await turn(p[side]);
      await p.run(); // warm-up: connections, prepared statements, caches
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const side of ['before', 'after'] as const) {
        await turn(p[side]);
        const r = await p.run();
        runs[side].push(r);
        console.log(
          `  ${p.name.padEnd(34)} ${side.padEnd(6)} ${Math.round(r.rps).toLocaleString('en-US').padStart(7)} req/s  p99 ${r.p99_ms} ms  ${success(r).toFixed(1)} % ok`,
        );
      }
    }
    await call('POST', '/lab/v1/tuning/knobs/reset', {});
    const rps = (s: 'before' | 'after') => median(runs[s].map((r) => r.rps));
    const ok = (s: 'before' | 'after') => `${median(runs[s].map(success)).toFixed(1)} %`;
    const p99 = (s: 'before' | 'after') => `${median(runs[s].map((r) => r.p99_ms))} ms`;
    rows.push([
      p.name,
      p.claimed,
      Math.round(rps('before')).toLocaleString('en-US'),
      ok('before'),
      p99('before'),
      Math.round(rps('after')).toLocaleString('en-US'),
      ok('after'),
      p99('after'),
      `${(rps('after') / Math.max(1, rps('before'))).toFixed(2)}×`,
    ]);
  }
  const header = ['change', 'claimed', 'before req/s', 'before ok', 'before p99', 'after req/s', 'after ok', 'after p99', 'after / before'];
  const [load1] = os.loadavg();
  console.log(
    `\nmedians of ${ROUNDS} alternating runs of ${SECONDS} s, ${CONNECTIONS} connections, ${SHARDS} shards, ${os.cpus().length} cores, load average ${load1!.toFixed(1)}, ${new Date().toISOString().slice(0, 16)}Z\n`,
  );
  console.log(markdownTable(header, rows));
} finally {
  await bench.stop();
}
