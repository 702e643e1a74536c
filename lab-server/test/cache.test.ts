import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedTestLab, type ErrorReply, type TestLab } from './support/lab.js';
import { terminalLine } from './support/terminal.js';

// Cache-aside for users by id, on the real cluster: off by default; without invalidation a reader sees the
// old row after its own update until the entry expires, with invalidation it never does; the trial measures
// both and puts the mode back.

interface CacheReply {
  mode: string;
  ttl_s: number;
  entries: number;
  hits: number;
  misses: number;
  invalidations: number;
  last_trial: TrialReply | null;
}
interface TrialReply {
  users: number;
  rounds: number;
  results: { mode: string; reads: number; hits: number; misses: number; hit_percent: number; updates: number; stale_reads: number; errors: number }[];
}

let t: TestLab;
beforeAll(async () => {
  t = await startEmbeddedTestLab(2);
});
afterAll(async () => {
  await t?.call('PUT', '/lab/v1/cache', { mode: 'off' });
  await t?.stop();
});

const cache = async () => (await t.call<CacheReply>('GET', '/lab/v1/cache')).body;

describe('cache-aside for users by id', () => {
  it('is off at start; bad input is a 4xx and changes nothing', async () => {
    expect(await cache()).toMatchObject({ mode: 'off', entries: 0, last_trial: null });
    for (const body of [{ mode: 'lru' }, { mode: 'invalidate', ttl_s: 0 }, { mode: 'invalidate', extra: 1 }, {}]) {
      expect((await t.call<ErrorReply>('PUT', '/lab/v1/cache', body)).status, JSON.stringify(body)).toBe(400);
    }
    expect((await t.call<ErrorReply>('POST', '/lab/v1/cache/trial', { users: 0 })).status).toBe(400);
    expect((await cache()).mode).toBe('off');
  });

  it('without invalidation a reader sees its update only after expiry; with it at once', async () => {
    const user = (await t.call<{ id: string }>('POST', '/api/v1/users', { first_name: 'Cache', last_name: 'Before' })).body;
    const rename = async (last_name: string) => (await t.call('PUT', `/api/v1/users/${user.id}`, { last_name })).status;
    const read = async () => (await t.call<{ last_name: string }>('GET', `/api/v1/users/${user.id}`)).body.last_name;

    expect((await t.call('PUT', '/lab/v1/cache', { mode: 'ttl-only', ttl_s: 600 })).status).toBe(200);
    expect(await read()).toBe('Before');
    expect(await rename('After')).toBe(200);
    expect(await read()).toBe('Before');
    expect(await cache()).toMatchObject({ mode: 'ttl-only', entries: 1, hits: 1, misses: 1, invalidations: 0 });

    expect((await t.call('PUT', '/lab/v1/cache', { mode: 'invalidate', ttl_s: 600 })).status).toBe(200);
    expect(await read()).toBe('After');
    expect(await rename('Again')).toBe(200);
    expect(await read()).toBe('Again');
    expect(await cache()).toMatchObject({ mode: 'invalidate', hits: 0, misses: 2, invalidations: 1 });
    expect((await t.call('DELETE', `/api/v1/users/${user.id}`)).status).toBe(204);
    expect((await t.call('GET', `/api/v1/users/${user.id}`)).status).toBe(404);
  });

  it('the trial: a high hit ratio both ways (lower with invalidation), every read after an update stale without invalidation and none with it', async () => {
    const before = await cache();
    const r = await t.call<TrialReply>('POST', '/lab/v1/cache/trial', { users: 10, rounds: 6 });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const [ttl, inv] = r.body.results;
    // 10 users × 6 rounds, plus one read back per round; the first round misses every user.
    expect(ttl).toMatchObject({ mode: 'ttl-only', reads: 66, misses: 10, hits: 56, updates: 6, stale_reads: 6, errors: 0 });
    expect(inv).toMatchObject({ mode: 'invalidate', reads: 66, misses: 16, hits: 50, updates: 6, stale_reads: 0, errors: 0 });
    const after = await cache();
    expect(after).toMatchObject({ mode: before.mode, last_trial: r.body });
    expect((await t.call<{ total_users: number }>('GET', '/api/v1/shards/stats')).body.total_users).toBe(0);
    expect(await terminalLine(t.url, 'cache')).toMatch(/invalidate +\| +66 +\| +50 +\| +75\.8 % +\| +0 of 6/);
    // Turning the cache on keeps the trial (the learner's next step); a chapter reset forgets it.
    await t.call('PUT', '/lab/v1/cache', { mode: 'invalidate' });
    expect((await cache()).last_trial).toEqual(r.body);
    expect((await t.call('DELETE', '/lab/v1/cache/trial')).status).toBe(204);
    expect((await cache()).last_trial).toBeNull();
  });
});
