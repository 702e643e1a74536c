import { afterAll, beforeAll, it } from 'vitest';
import { startEmbeddedTestLab, type TestLab } from './support/lab.js';

let t: TestLab;
beforeAll(async () => {
  t = await startEmbeddedTestLab(2);
  await t.call('POST', '/lab/v1/seed', { users: 200 });
}, 300_000);
afterAll(async () => t?.stop(), 120_000);

it('GETs everything with a shard down', async () => {
  const doc = (await t.call<{ paths: Record<string, Record<string, unknown>> }>('GET', '/api/openapi.json')).body;
  const gets = Object.entries(doc.paths).filter(([p, ops]) => 'get' in ops && !p.includes('{') && !p.includes('events') && p !== '/metrics');
  console.log('KILL', (await t.call('POST', '/lab/v1/shards/shard-1/kill')).status);
  await new Promise((r) => setTimeout(r, 2000));
  for (const [p] of gets) {
    const r = await t.call<unknown>('GET', p);
    if (r.status >= 500 && r.status !== 503) console.log(`DOWN ${r.status} ${p} ${JSON.stringify(r.body).slice(0, 200)}`);
    else console.log(`OK ${r.status} ${p}`);
  }
}, 600_000);
