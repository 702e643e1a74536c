import { afterAll, beforeAll, it } from 'vitest';
import { startEmbeddedTestLab, type TestLab } from './support/lab.js';

let t: TestLab;
beforeAll(async () => {
  t = await startEmbeddedTestLab(5);
}, 300_000);
afterAll(async () => t?.running.stop(), 120_000);

it('times a budget', async () => {
  for (const body of [
    { workers: 4, pool_max: 5, duration_s: 3 },
    { workers: 0, pool_max: 20, duration_s: 3 },
    { workers: 4, pool_max: 5, duration_s: 3 },
  ]) {
    const t0 = Date.now();
    const r = await t.call<{ job_id: string }>('POST', '/lab/v1/tuning/connection-budget', body);
    const job = await t.running.lab.jobs.wait(r.body.job_id);
    console.log(
      `TIMING ${JSON.stringify(body)}: ${job.state} in ${Date.now() - t0} ms ${job.error?.message ?? ''}\n${(job.notes ?? []).map((n) => `${n.at} ${n.message}`).join('\n')}`,
    );
  }
}, 900_000);
