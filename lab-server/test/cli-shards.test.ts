import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli, startCli } from './support/cli.js';
import { startEmbeddedTestLab, type TestLab } from './support/lab.js';
import { expectNothingLeftBehind, waitForJob } from './support/workload.js';

/** The shard commands of `npm run lab`, run as a user runs them, against a lab on two embedded shards. */
let t: TestLab;
let env: Record<string, string>;
beforeAll(async () => {
  t = await startEmbeddedTestLab(2);
  env = { LAB_URL: t.url };
  const seed = await t.call<{ job_id: string }>('POST', '/lab/v1/seed', { users: 1_000 });
  expect((await waitForJob(t, seed.body.job_id)).state).toBe('succeeded');
});
afterAll(async () => t?.stop());

const lab = (...args: string[]) => runCli(args, env);
const ringVersion = async () => (await t.call<{ ring: { version: number; shards: string[] } }>('GET', '/lab/v1/topology')).body.ring;

it('plans, then adds a shard that holds before a step until `jobs continue`', async () => {
  const plan = await lab('shards', 'plan');
  expect(plan.code, plan.out).toBe(0);
  expect(plan.out).toMatch(/shard-2 +\| 0\.00 % +\| \d+\.\d\d %/);
  expect(plan.out).toMatch(/of the key space changes owner: [\d,]+ rows in .*users/);

  const add = startCli(['shards', 'add', '--pause-before', 'copy'], env);
  const [, id] = await add.waitFor(/Held before copy\. .*jobs continue (\S+)'/);
  expect((await t.call<{ waiting?: string }>('GET', `/lab/v1/jobs/${id!}`)).body.waiting).toBe('before copy');
  const go = await lab('jobs', 'continue', id!);
  expect(go.code, go.out).toBe(0);
  expect(go.out).toContain(`add-shard ${id!}: goes on`);

  const done = await add.done;
  expect(done.code, done.out).toBe(0);
  expect(done.out).toMatch(/\[copy\] Streaming \d+ rows from shard-\d to shard-2/);
  expect(done.out).toMatch(/paused \d+ ms to take the verify snapshots and \d+ ms at cutover; ring version 2/);
  expect(done.out).toContain('total 1,000 users on 3 shards');
  expect((await lab('ring')).out).toMatch(/\n2 +\| md5-ring \| 150 +\| shard-0 shard-1 shard-2 +\| add shard-2 \(rebalanced\)/);
  expect((await lab('jobs')).out).toMatch(new RegExp(`${id!} \\| add-shard \\| succeeded \\| cleanup`));
});

it('cancels a held move with `jobs cancel`: the add ends saying nothing was kept, and the topology is as before', async () => {
  const before = await ringVersion();
  const add = startCli(['shards', 'add', '--pause-before', 'verify'], env);
  const [, id] = await add.waitFor(/Held before verify\. .*jobs continue (\S+)'/);
  const cancel = await lab('jobs', 'cancel', id!);
  expect(cancel.out).toContain(`add-shard ${id!}: cancelling`);
  const done = await add.done;
  expect(done.code).toBe(130);
  expect(done.out).toContain(`Job ${id!} was cancelled; nothing it started was kept.`);
  expect(await ringVersion()).toEqual(before);
  expect(t.running.lab.cluster.shards.map((s) => s.name)).toEqual(['shard-0', 'shard-1', 'shard-2']);
  await expectNothingLeftBehind(t);
  expect((await lab('jobs', 'cancel', id!)).out).toContain(`add-shard ${id!}: cancelled`);
});

it('injects faults and says what the shard is after each', async () => {
  for (const [action, status] of [
    ['pause', 'paused'],
    ['resume', 'up'],
    ['kill', 'down'],
    ['start', 'up'],
  ] as const) {
    const r = await lab('shards', action, 'shard-1');
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(new RegExp(`^shard-1: ${status}`));
  }
  expect((await lab('health')).code).toBe(0);
});

it('removes a shard, draining it first', async () => {
  const r = await lab('shards', 'remove', 'shard-2');
  expect(r.code, r.out).toBe(0);
  expect(r.out).toContain('total 1,000 users on 2 shards');
  expect((await ringVersion()).shards).toEqual(['shard-0', 'shard-1']);
});

it('refuses bad input with the reason, and changes nothing', async () => {
  const before = await ringVersion();
  const bad = await lab('shards', 'add', '--pause-before', 'nap');
  expect(bad.code).toBe(1);
  expect(bad.out).toContain('pause_before takes provision, copy, verify, cleanup');
  expect((await lab('shards', 'remove', 'shard-9')).out).toContain("No shard named 'shard-9'");
  expect((await lab('jobs', 'cancel')).out).toContain('usage: lab jobs cancel ID');
  expect((await lab('jobs', 'continue', 'nope')).out).toContain('No job nope');
  expect(await ringVersion()).toEqual(before);
});
