import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from './support/command.js';
import { startEmbeddedTestLab, testRing, type ErrorReply, type TestLab } from './support/lab.js';

/** The key-fate tracer against a real lab that reshards: each id under every ring version, and where its row really is. */
interface Fate {
  key: string;
  hash: string;
  steps: { version: number; reason: string; shard: string; vnode: string | null; port: number | null; moved: boolean; server_changed: boolean }[];
  moves: number;
  now: { shard: string; port: number | null; replica_port: number | null };
  rows: { shard: string; found: boolean | null }[];
  verdict: 'routed' | 'misplaced' | 'absent';
}

let t: TestLab;
beforeAll(async () => {
  t = await startEmbeddedTestLab(2);
});
afterAll(async () => t?.stop());

const fate = async (id: string) => {
  const r = await t.call<Fate>('GET', `/lab/v1/ids/${id}/fate`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
};
const addShard = async (mode: 'rebalance' | 'faithful') => {
  const added = await t.call<{ job_id: string }>('POST', '/lab/v1/shards', { mode });
  expect(added.status).toBe(202);
  expect((await t.running.lab.jobs.wait(added.body.job_id)).state).toBe('succeeded');
};

/** A command as the terminal runs it, against the test lab. */
const command = (line: string) => runCommand(t.url, line);

describe('key fate', () => {
  const ids: string[] = [];

  it('follows a new user: one ring version, the shard the ring names, its row there', async () => {
    for (let i = 0; i < 30; i++) {
      const r = await t.call<{ id: string }>('POST', '/api/v1/users', { first_name: 'Key', last_name: `Fate${i}` });
      expect(r.status).toBe(201);
      ids.push(r.body.id);
    }
    const f = await fate(ids[0]!.toUpperCase());
    const route = testRing(2).route(ids[0]!);
    expect(f).toMatchObject({ key: ids[0], hash: `0x${route.hash.toString(16).padStart(8, '0')}`, moves: 0, verdict: 'routed' });
    expect(f.steps).toHaveLength(1);
    expect(f.steps[0]).toMatchObject({ version: 1, reason: 'initial ring', shard: route.shard_name, vnode: route.vnode, moved: false });
    expect(f.now.port).toBe(Number(new URL(t.shardUrls[route.shard_id]!).port));
    expect(f.rows).toEqual([
      { shard: 'shard-0', found: route.shard_name === 'shard-0' },
      { shard: 'shard-1', found: route.shard_name === 'shard-1' },
    ]);
  });

  it('after a resize that moves nothing, the ids whose arc changed hands are misplaced: the ring sends reads where the row is not', async () => {
    await addShard('faithful');
    const fates = await Promise.all(ids.map(fate));
    const three = testRing(3);
    for (const [i, f] of fates.entries()) {
      expect(f.steps.map((s) => s.shard)).toEqual([testRing(2).route(ids[i]!).shard_name, three.route(ids[i]!).shard_name]);
      expect(f.steps[1]!.reason).toMatch(/faithful/);
      expect(f.verdict).toBe(f.steps[1]!.moved ? 'misplaced' : 'routed');
    }
    const moved = fates.filter((f) => f.moves === 1);
    // About a third of the key space changes hands going from 2 to 3 shards; of 30 random ids, some do.
    expect(moved.length).toBeGreaterThan(0);
    expect(moved.every((f) => f.now.shard === 'shard-2' && f.rows.find((r) => r.shard === 'shard-2')?.found === false)).toBe(true);
    expect((await t.call('GET', `/api/v1/users/${moved[0]!.key}`)).status).toBe(404);
    expect(await command(`fate ${moved[0]!.key}`)).toMatch(/shard-2 ← moved[\s\S]*its row is on another shard/);
  });

  it('bad ids are refused', async () => {
    const bad = await t.call<ErrorReply>('GET', '/lab/v1/ids/user-42/fate');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'invalid_id' });
    await expect(command('fate')).rejects.toThrow(/ID/);
  });
});
