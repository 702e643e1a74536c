import { describe, expect, it } from 'vitest';
import { loadtest } from './loadtest.js';

describe('loadtest step', () => {
  it('needs a scenario; a duration, when given, is 1 to 600 s', () => {
    expect(loadtest.spec.parse({ do: 'loadtest', scenario: 'smoke', duration_s: 5 })).toEqual({ do: 'loadtest', scenario: 'smoke', duration_s: 5 });
    expect(loadtest.spec.safeParse({ do: 'loadtest', scenario: '' }).success).toBe(false);
    for (const duration_s of [0, 601, 1.5]) expect(loadtest.spec.safeParse({ do: 'loadtest', scenario: 'smoke', duration_s }).success).toBe(false);
  });

  it('names the scenario', () => {
    expect(loadtest.describe({ do: 'loadtest', scenario: 'read-heavy' })).toBe('Run the read-heavy load test — POST /lab/v1/loadtests');
  });
});
