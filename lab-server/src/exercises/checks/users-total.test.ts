import { describe, expect, it } from 'vitest';
import { judgeUsersTotal, usersTotal } from './users-total.js';

const shard = (name: string, users: number, healthy = true) => ({
  shard_id: Number(name.slice(-1)),
  shard_name: name,
  user_count: healthy ? users : null,
  healthy,
});
const stats = (total: number, ...down: string[]) => ({
  total_users: total,
  shards: ['shard-0', 'shard-1'].map((n) => shard(n, total / 2, !down.includes(n))),
});

describe('users-total check', () => {
  it('reads bounds from the spec and refuses negative, fractional or unknown ones', () => {
    expect(usersTotal.spec.parse({ kind: 'users-total', at_least: 20000 })).toEqual({ kind: 'users-total', at_least: 20000 });
    for (const bad of [{ at_least: -1 }, { at_most: 1.5 }, { atleast: 3 }]) {
      expect(usersTotal.spec.safeParse({ kind: 'users-total', ...bad }).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('passes within the bounds and says how many users there are', () => {
    expect(judgeUsersTotal({ kind: 'users-total', at_least: 20000 }, stats(20000))).toEqual({ passed: true, message: 'The shards hold 20,000 users.' });
    expect(judgeUsersTotal({ kind: 'users-total', at_most: 0 }, stats(0)).passed).toBe(true);
  });

  it('says how many are missing and how to seed them', () => {
    const r = judgeUsersTotal({ kind: 'users-total', at_least: 20000 }, stats(19998));
    expect(r).toEqual({
      passed: false,
      message: 'The shards hold 19,998 users; this step needs at least 20,000. Seed more (Seed button, or `seed 20000` in the terminal).',
    });
  });

  it('sends a learner with too many users to the reset', () => {
    const r = judgeUsersTotal({ kind: 'users-total', at_most: 0 }, stats(10));
    expect(r.passed).toBe(false);
    expect(r.message).toMatch(/10 users; this step needs at most 0\. Reset the chapter/);
  });

  it('fails when a shard did not answer, whatever the count, naming the shard', () => {
    const r = judgeUsersTotal({ kind: 'users-total', at_least: 0 }, stats(100, 'shard-1'));
    expect(r).toEqual({ passed: false, message: 'shard-1 did not answer, so the users cannot be counted. Start it again first.' });
  });
});
