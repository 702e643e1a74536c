import { describe, expect, it } from 'vitest';
import { judgeUserShard, userShard } from './user-shard.js';

const spec = userShard.spec.parse({ kind: 'user-shard', first_name: 'Grace', last_name: 'Hopper' });
const shards = ['shard-0', 'shard-1', 'shard-2'];
const found = { id: '019478a1-3c5f-7d9e-8b3c-4a5f6e7d8c9b', shard: 'shard-2' };

describe('user-shard check', () => {
  it('needs both names, not empty', () => {
    expect(userShard.spec.safeParse({ kind: 'user-shard', first_name: 'Grace' }).success).toBe(false);
    expect(userShard.spec.safeParse({ kind: 'user-shard', first_name: '', last_name: 'Hopper' }).success).toBe(false);
  });

  it('asks for the shard of that user', () => {
    expect(userShard.question?.input(spec)).toEqual({ type: 'shard', label: "On which shard is Grace Hopper's row?" });
  });

  it('passes the shard the row is on', () => {
    expect(judgeUserShard(spec, '2', found, shards)).toEqual({
      passed: true,
      message: `Right: the row ${found.id} is on shard-2, the shard the ring picks for that id.`,
    });
  });

  it('fails another shard, pointing at the header and the route command', () => {
    expect(judgeUserShard(spec, 'shard-0', found, shards)).toEqual({
      passed: false,
      message: `The newest Grace Hopper is not on shard-0. The API said where it went (the X-Lab-Shard header), or ask the ring: \`route ${found.id}\`.`,
    });
  });

  it('asks the learner to create the user first when there is none, whatever the answer', () => {
    const r = judgeUserShard(spec, 'shard-2', null, shards);
    expect(r).toEqual({
      passed: false,
      message: 'There is no user named Grace Hopper yet. Create one: the “Create user” form, or `user create Grace Hopper` in the terminal.',
    });
    expect(judgeUserShard(spec, undefined, found, shards).message).toBe('Pick a shard first.');
  });
});
