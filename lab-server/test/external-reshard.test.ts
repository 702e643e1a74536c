import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestLab, testRing, type ErrorReply, type TestLab } from './support/lab.js';
import { startTestServers, type TestServers } from './support/servers.js';
import { expectNothingLeftBehind, placement, waitForJob } from './support/workload.js';

/** External mode (LAB_SHARDS): the lab starts no servers, so a new shard is a server the learner names. */
let t: TestLab;
let spare: TestServers;
beforeAll(async () => {
  [t, spare] = await Promise.all([startTestLab(2), startTestServers(1)]);
  const seed = await t.call<{ job_id: string }>('POST', '/lab/v1/seed', { users: 2_000 });
  expect((await waitForJob(t, seed.body.job_id)).state).toBe('succeeded');
});
afterAll(async () => {
  await t?.stop();
  await spare?.stop();
});

it('asks for the URL of the new server, and says what it cannot do here', async () => {
  const res = await t.call<ErrorReply>('POST', '/lab/v1/shards', {});
  expect(res.status).toBe(400);
  expect(res.body.error.code).toBe('url_required');
  expect(res.body.error.message).toMatch(/Or give the url of a new PostgreSQL server/);
  expect((await t.call<ErrorReply>('POST', '/lab/v1/shards/shard-0/kill')).status).toBe(409);
  expect((await t.call<ErrorReply>('POST', '/lab/v1/shards/shard-0/replicas')).status).toBe(409);
  const promote = await t.call<ErrorReply>('POST', '/lab/v1/shards/shard-0/promote');
  expect(promote.status).toBe(409);
  expect(promote.body.error.message).toMatch(/Promotion needs the lab to run the shard servers itself; in external mode it does not. LAB_SHARDS names servers/);
});

it('refuses a server that does not answer, and leaves the cluster as it was', async () => {
  const res = await t.call<{ job_id: string }>('POST', '/lab/v1/shards', { url: 'postgres://postgres:postgres@127.0.0.1:1/messenger' });
  const job = await waitForJob(t, res.body.job_id);
  expect(job.state).toBe('failed');
  expect(job.error?.message).toMatch(/shard-2 \(.*127\.0\.0\.1:1.*\) does not answer/);
  expect(t.running.lab.cluster.shards.map((s) => s.name)).toEqual(['shard-0', 'shard-1']);
});

it('adds the named server as a shard: migrated, filled with exactly the rows the new ring gives it', async () => {
  const before = await placement(t);
  const res = await t.call<{ job_id: string }>('POST', '/lab/v1/shards', { url: spare.urls[0] });
  expect(res.status).toBe(202);
  const job = await waitForJob(t, res.body.job_id);
  expect(job.state, JSON.stringify(job.error)).toBe('succeeded');
  const ring = testRing(3);
  const where = await placement(t);
  expect(where.size).toBe(before.size);
  for (const [id, at] of where) expect(at.map((a) => a.shard)).toEqual([ring.route(id).shard_name]);
  await expectNothingLeftBehind(t);
});
