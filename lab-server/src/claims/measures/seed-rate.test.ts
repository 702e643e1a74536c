import { describe, expect, it } from 'vitest';
import { judgeSeedRate, seedRate } from './seed-rate.js';

describe('seed-rate', () => {
  const spec = seedRate.spec.parse({ kind: 'seed-rate', users: 100_000, claimed_users: 1_000_000 });

  it('says what it will load before it runs', () => {
    expect(seedRate.runs?.(spec)).toBe('Loads 100,000 generated users into the shards (added to the users already there).');
  });

  it('holds once the shards hold the claimed total; short of it, says how long the rest would take at the rate measured', () => {
    expect(judgeSeedRate(spec, 10, 1_000_000).verdict).toBe('holds');
    expect(judgeSeedRate(spec, 10, 100_000)).toEqual({
      measured: 'Loaded 100,000 users in 10.0 s (10,000 users/s); the shards now hold 100,000.',
      verdict: 'unsettled',
      why: '100,000 is fewer than the 1,000,000 claimed; at this rate the rest would load in about 90 s (make seed USERS=900000).',
    });
  });
});
