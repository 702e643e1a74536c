import { describe, expect, it } from 'vitest';
import { awaitLoadtest } from './await-loadtest.js';

describe('await-loadtest step', () => {
  it('takes no parameters but unless, and says what it waits for', () => {
    expect(awaitLoadtest.spec.parse({ do: 'await-loadtest' })).toEqual({ do: 'await-loadtest' });
    expect(awaitLoadtest.spec.safeParse({ do: 'await-loadtest', scenario: 'smoke' }).success).toBe(false);
    expect(awaitLoadtest.describe({ do: 'await-loadtest' })).toMatch(/running load test/);
  });
});
