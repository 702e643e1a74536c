import { describe, expect, it } from 'vitest';
import { judgeWinners, usernameWinners } from './username-winners.js';

const race = (won: number, failed: string[] = []) => ({
  username: 'predict-x',
  lookup_shard: 'shard-2',
  claims: 50,
  won,
  conflicts: 50 - won - failed.length,
  failed,
  winner: null,
});

describe('username-winners check', () => {
  it('asks a number of winners for 2 to 50 claims', () => {
    const spec = usernameWinners.spec.parse({ kind: 'username-winners', claims: 50 });
    expect(usernameWinners.question?.input(spec)).toEqual({
      type: 'number',
      label: 'How many of 50 concurrent claims for one new username will win?',
      unit: 'winners',
    });
    expect(usernameWinners.spec.safeParse({ kind: 'username-winners', claims: 51 }).success).toBe(false);
  });

  it('passes the measured number of winners, and explains a wrong guess with the measurement', () => {
    expect(judgeWinners(1, race(1))).toEqual({
      passed: true,
      message:
        'Right. Measured just now: 50 users claimed “predict-x” at once; every claim was an INSERT on shard-2, and 1 won while 49 got 409 already_taken.',
    });
    const wrong = judgeWinners(5, race(1));
    expect(wrong.passed).toBe(false);
    expect(wrong.message).toMatch(/^You predicted 5\. Measured just now: .* its primary key admits one row\.$/);
  });

  it('does not judge a race where claims failed for another reason', () => {
    expect(judgeWinners(1, race(1, ['shard-2 is down'])).message).toBe('1 claim(s) failed outright, so the race counts nothing: shard-2 is down');
  });
});
