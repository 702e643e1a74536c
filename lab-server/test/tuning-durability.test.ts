import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { startEmbeddedTestLab, type ErrorReply, type TestLab } from './support/lab.js';

/** The durability trade-off of synchronous_commit, with a real SIGKILL of an embedded shard's postmaster. */
let t: TestLab;
beforeAll(async () => {
  t = await startEmbeddedTestLab(2);
});
afterAll(async () => t?.stop());

interface CrashRun {
  shard: string;
  synchronous_commit: string;
  acknowledged: number;
  lost: number;
  lost_ids: number[];
  commits_per_s: number;
}

const shardPid = async (name: string) =>
  (await t.call<{ shards: { name: string; pid: number | null; status: string }[] }>('GET', '/lab/v1/topology')).body.shards.find((s) => s.name === name);

describe('a crash with synchronous_commit on and off', () => {
  it('kills the postmaster mid-write, restarts it, and counts acknowledged writes lost: none with on', async () => {
    const before = await shardPid('shard-1');
    const on = await t.call<CrashRun>('POST', '/lab/v1/tuning/durability', { shard: 'shard-1', synchronous_commit: 'on', write_ms: 500 });
    expect(on.status, JSON.stringify(on.body)).toBe(200);
    expect(on.body.acknowledged).toBeGreaterThan(0);
    expect(on.body.lost).toBe(0);
    const after = await shardPid('shard-1');
    // A new postmaster: the old one was killed, not asked to stop; the shard serves again.
    expect(after?.status).toBe('up');
    expect(after?.pid).not.toBe(before?.pid);

    const off = await t.call<CrashRun>('POST', '/lab/v1/tuning/durability', { shard: 'shard-1', synchronous_commit: 'off', write_ms: 500 });
    expect(off.status).toBe(200);
    expect(off.body.lost).toBeLessThanOrEqual(off.body.acknowledged);
    expect(off.body.lost_ids.length).toBe(Math.min(20, off.body.lost));

    const list = await t.call<{ runs: CrashRun[] }>('GET', '/lab/v1/tuning/durability');
    expect(list.body.runs.map((r) => r.synchronous_commit)).toEqual(['on', 'off']);
    expect((await t.call('POST', '/api/v1/users', { first_name: 'After', last_name: 'Crash' })).status).toBe(201);
  }, 120_000);

  it('refuses an unknown shard and a bad mode, killing nothing', async () => {
    const pid = (await shardPid('shard-0'))?.pid;
    const unknown = await t.call<ErrorReply>('POST', '/lab/v1/tuning/durability', { shard: 'shard-7', synchronous_commit: 'off' });
    expect(unknown.status).toBe(404);
    const bad = await t.call<ErrorReply>('POST', '/lab/v1/tuning/durability', { shard: 'shard-0', synchronous_commit: 'local' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('on or off');
    expect((await shardPid('shard-0'))?.pid).toBe(pid);
  });

  it('lists and forgets the runs from the CLI', async () => {
    const env = { LAB_URL: t.url };
    const list = await runCli(['tune', 'crashes'], env);
    expect(list.code, list.out).toBe(0);
    expect(list.out).toMatch(/shard-1 +\| on/);
    expect((await t.call<{ runs: unknown[] }>('DELETE', '/lab/v1/tuning/durability')).body.runs).toEqual([]);
    expect((await runCli(['tune', 'crashes'], env)).out).toContain('No crash runs yet');
  });
});

describe('restart-only parameters, applied by a restart the lab performs', () => {
  type KnobList = { knobs: { name: string; value: string; needs_restart: boolean; changed: boolean }[] };
  const knob = (k: KnobList, name: string) => k.knobs.find((x) => x.name === name)!;
  const inForce = async (name: string) =>
    (await t.call<{ shards: { shard: string; parameters: { name: string; setting: string }[] }[] }>('GET', '/lab/v1/tuning/parameters')).body.shards.map(
      (s) => s.parameters.find((p) => p.name === name)!.setting,
    );
  const restart = async () => {
    const started = await t.call<{ job_id: string }>('POST', '/lab/v1/tuning/restart');
    expect(started.status).toBe(202);
    const job = await t.running.lab.jobs.wait(started.body.job_id);
    expect(job.state, JSON.stringify(job.error)).toBe('succeeded');
    return job;
  };

  it('shows shared_buffers and max_connections as needing a restart, restarts shard by shard, and then they are in force', async () => {
    await t.call('PUT', '/lab/v1/tuning/knobs/shared_buffers', { value: '64MB' });
    const set = await t.call<KnobList>('PUT', '/lab/v1/tuning/knobs/max_connections', { value: '150' });
    expect(knob(set.body, 'max_connections')).toMatchObject({
      needs_restart: true,
      changed: true,
      value: expect.stringContaining('set to 150; needs a restart'),
    });
    expect(knob(set.body, 'shared_buffers').needs_restart).toBe(true);
    expect(await inForce('max_connections')).toEqual(['200', '200']);

    const job = await restart();
    expect(job.notes?.map((n) => n.phase)).toEqual(expect.arrayContaining(['shard-0', 'shard-1']));
    expect(await inForce('max_connections')).toEqual(['150', '150']);
    expect(await inForce('shared_buffers')).toEqual(['64MB', '64MB']);
    const after = await t.call<KnobList>('GET', '/lab/v1/tuning/knobs');
    expect(after.body.knobs.filter((k) => k.needs_restart)).toEqual([]);

    // Back to the defaults: the reset also needs a restart, and then the command line's value is back.
    const reset = await t.call<KnobList>('POST', '/lab/v1/tuning/knobs/reset');
    expect(knob(reset.body, 'max_connections').needs_restart).toBe(true);
    await restart();
    expect(await inForce('max_connections')).toEqual(['200', '200']);
    expect(await inForce('shared_buffers')).toEqual(['128MB', '128MB']);
    expect((await t.call('POST', '/api/v1/users', { first_name: 'After', last_name: 'Restart' })).status).toBe(201);
  }, 180_000);
});
