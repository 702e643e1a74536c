/**
 * `npm run bench:data-layer`: the hot endpoints through both data layers in one run — `pg` with named
 * prepared statements and Prisma 7 over @prisma/adapter-pg, on the same pools — switching the layer at run
 * time (as PUT /lab/v1/settings does) and alternating pg, prisma, pg, prisma… for ROUNDS rounds, so both see
 * the same machine state; the medians are reported, with the spread. autocannon runs in a child process.
 * SECONDS=n (default 4) per measurement, ROUNDS=n (default 3), CONNECTIONS=n (default 50), SHARDS=n (default 5).
 */
import os from 'node:os';
import { type Load, markdownTable, measureLoad, startBenchLab } from './support.js';
import type { DataLayer } from '../src/data/layer.js';
import type { Conversation } from '../src/messenger/conversations/schemas.js';
import type { User } from '../src/messenger/users/schemas.js';

const SECONDS = Number(process.env.SECONDS ?? 4);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50);
const SHARDS = Number(process.env.SHARDS ?? 5);
const LAYERS: DataLayer[] = ['pg', 'prisma'];

const load = (url: string, method: 'GET' | 'POST', paths: string[], bodies: string[] = []) =>
  measureLoad(url, method, paths, { connections: CONNECTIONS, seconds: SECONDS }, bodies);

const bench = await startBenchLab(SHARDS);
const { running } = bench;
try {
  const { url, lab } = running;
  const post = async <T>(p: string, body: unknown): Promise<T> => {
    const res = await fetch(`${url}${p}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${p}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  console.log(`Preparing data on ${SHARDS} shards (${os.cpus().length} cores)...`);
  const users: User[] = [];
  for (let batch = 0; batch < 20; batch++) {
    users.push(
      ...(await Promise.all(Array.from({ length: 25 }, (_, i) => post<User>('/api/v1/users', { first_name: `Bench${batch}-${i}`, last_name: 'User' })))),
    );
  }
  const conversations: Conversation[] = [];
  for (let i = 0; i < 50; i++) {
    const members = [users[(2 * i) % users.length]!.id, users[(2 * i + 1) % users.length]!.id];
    conversations.push(await post<Conversation>('/api/v1/conversations', { title: `Bench ${i}`, member_ids: members }));
  }
  for (const c of conversations) {
    for (let i = 0; i < 40; i++) await post(`/api/v1/conversations/${c.id}/messages`, { sender_id: c.members[i % 2], body: `warm-up ${i}` });
  }

  const hot = conversations[0]!;
  const scenarios: { name: string; run: () => Promise<Load> }[] = [
    {
      name: 'GET /users/:id',
      run: () =>
        load(
          url,
          'GET',
          users.map((u) => `/api/v1/users/${u.id}`),
        ),
    },
    { name: 'POST /users', run: () => load(url, 'POST', ['/api/v1/users'], [JSON.stringify({ first_name: 'Load', last_name: 'Test' })]) },
    // The sender must be a member of the conversation in the path, so every request posts to one conversation.
    {
      name: 'POST .../messages',
      run: () => load(url, 'POST', [`/api/v1/conversations/${hot.id}/messages`], [JSON.stringify({ sender_id: hot.members[0], body: 'load test message' })]),
    },
    {
      name: 'GET .../messages',
      run: () =>
        load(
          url,
          'GET',
          conversations.map((c) => `/api/v1/conversations/${c.id}/messages?limit=20`),
        ),
    },
  ];

  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  const rows: string[][] = [];
  for (const s of scenarios) {
    const runs: Record<DataLayer, Load[]> = { pg: [], prisma: [] };
    for (const layer of LAYERS) {
      lab.settings.update({ data_layer: layer });
      await s.run(); // warm-up: connections, prepared statements, JIT
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const layer of LAYERS) {
        lab.settings.update({ data_layer: layer });
        const r = await s.run();
        if (r.non2xx > 0 || r.errors > 0) throw new Error(`${s.name} (${layer}): ${r.non2xx} non-2xx answers, ${r.errors} errors`);
        runs[layer].push(r);
        console.log(`  ${s.name.padEnd(20)} ${layer.padEnd(6)} ${Math.round(r.rps).toLocaleString('en-US').padStart(7)} req/s  p99 ${r.p99_ms} ms`);
      }
    }
    const rps = (l: DataLayer) => median(runs[l].map((r) => r.rps));
    const p99 = (l: DataLayer) => median(runs[l].map((r) => r.p99_ms));
    const spread = (l: DataLayer) => `${Math.round(Math.min(...runs[l].map((r) => r.rps)))}–${Math.round(Math.max(...runs[l].map((r) => r.rps)))}`;
    rows.push([
      s.name,
      Math.round(rps('pg')).toLocaleString('en-US'),
      spread('pg'),
      `${p99('pg')} ms`,
      Math.round(rps('prisma')).toLocaleString('en-US'),
      spread('prisma'),
      `${p99('prisma')} ms`,
      `${(rps('prisma') / rps('pg')).toFixed(2)}×`,
    ]);
  }
  const header = ['endpoint', 'pg req/s', 'pg range', 'pg p99', 'prisma req/s', 'prisma range', 'prisma p99', 'prisma / pg'];
  console.log(`\nmedians of ${ROUNDS} alternating runs of ${SECONDS} s, ${CONNECTIONS} connections, ${SHARDS} shards, ${os.cpus().length} cores\n`);
  console.log(markdownTable(header, rows));
} finally {
  await bench.stop();
}
