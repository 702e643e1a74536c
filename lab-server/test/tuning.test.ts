import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { queryServer, startTestLab, type ErrorReply, type TestLab } from './support/lab.js';

/** The tuning chapter's knobs: an allow-list of PostgreSQL parameters, changed through the lab, never the console. */
let t: TestLab;
beforeAll(async () => {
  t = await startTestLab(2);
});
afterAll(async () => t?.stop());

interface Tuning {
  shards: { shard: string; parameters: { name: string; setting: string; source: string; pending_restart: boolean }[] }[];
}
const setting = (body: Tuning, shard: string, name: string) => body.shards.find((s) => s.shard === shard)!.parameters.find((p) => p.name === name)!;
/** As a request's new session on the shard sees it, asked as the lab's own superuser. */
const inForce = async (i: number, name: string) => (await queryServer<{ v: string }>(t.shardUrls[i]!, `SELECT current_setting('${name}') AS v`))[0]!.v;

describe('tuning parameters over the API', () => {
  it('lists the allowed parameters per shard, and sets one on every shard or on the shards named', async () => {
    const list = await t.call<Tuning>('GET', '/lab/v1/tuning/parameters');
    expect(list.status).toBe(200);
    expect(list.body.shards.map((s) => s.shard)).toEqual(['shard-0', 'shard-1']);
    expect(setting(list.body, 'shard-0', 'synchronous_commit').setting).toBe('on');

    const all = await t.call<Tuning>('PUT', '/lab/v1/tuning/parameters/synchronous_commit', { value: 'off' });
    expect(all.status).toBe(200);
    expect([await inForce(0, 'synchronous_commit'), await inForce(1, 'synchronous_commit')]).toEqual(['off', 'off']);

    const one = await t.call<Tuning>('PUT', '/lab/v1/tuning/parameters/work_mem', { value: '32MB', shards: ['shard-1'] });
    expect(one.body.shards.map((s) => s.shard)).toEqual(['shard-1']);
    expect([await inForce(0, 'work_mem'), await inForce(1, 'work_mem')]).toEqual(['4MB', '32MB']);

    for (const name of ['synchronous_commit', 'work_mem']) expect((await t.call('PUT', `/lab/v1/tuning/parameters/${name}`, { value: null })).status).toBe(200);
    expect([await inForce(0, 'synchronous_commit'), await inForce(1, 'work_mem')]).toEqual(['on', '4MB']);
  });

  it('refuses what is not on the list, what PostgreSQL refuses and unknown shards, changing nothing', async () => {
    const outside = await t.call<ErrorReply>('PUT', '/lab/v1/tuning/parameters/archive_command', { value: 'touch /tmp/x' });
    expect(outside.status).toBe(404);
    expect(outside.body.error.code).toBe('parameter_not_allowed');
    const bad = await t.call<ErrorReply>('PUT', '/lab/v1/tuning/parameters/work_mem', { value: 'lots' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_value');
    const quoted = await t.call<ErrorReply>('PUT', '/lab/v1/tuning/parameters/work_mem', { value: "1MB'; ALTER SYSTEM SET archive_command = 'x" });
    expect(quoted.status).toBe(400);
    const shard = await t.call<ErrorReply>('PUT', '/lab/v1/tuning/parameters/work_mem', { value: '8MB', shards: ['shard-9'] });
    expect(shard.status).toBe(404);
    expect([await inForce(0, 'work_mem'), await inForce(1, 'work_mem'), await inForce(0, 'archive_command')]).toEqual(['4MB', '4MB', '(disabled)']);
  });
});

describe('tuning from the CLI', () => {
  it('sets, lists and resets, through the same command the terminal runs', async () => {
    const env = { LAB_URL: t.url };
    const set = await runCli(['tune', 'set', 'random_page_cost', '1.1'], env);
    expect(set.code, set.out).toBe(0);
    expect(set.out).toMatch(/random_page_cost +\| 1\.1\* +\| 1\.1\*/);
    expect((await runCli(['tune'], env)).out).toMatch(/work_mem +\| 4MB +\| 4MB/);
    const wrong = await runCli(['tune', 'set', 'fsync', 'off'], env);
    expect(wrong.code).toBe(1);
    expect(wrong.out).toContain('parameter_not_allowed');
    expect((await runCli(['tune', 'reset', 'random_page_cost'], env)).code).toBe(0);
    expect(await inForce(1, 'random_page_cost')).toBe('4');
  });
});
