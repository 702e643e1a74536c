import { describe, expect, it } from 'vitest';
import { awaitLoadtest } from './await-loadtest.js';

describe('await-loadtest step', () => {
  it('waits for the end by default, or until the traffic is counted, and says which', () => {
    const end = awaitLoadtest.spec.parse({ do: 'await-loadtest' });
    expect(end).toEqual({ do: 'await-loadtest', until: 'finished' });
    expect(awaitLoadtest.describe(end)).toMatch(/running load test to finish/);
    const on = awaitLoadtest.spec.parse({ do: 'await-loadtest', until: 'counting' });
    expect(awaitLoadtest.describe(on)).toMatch(/traffic is on/);
    expect(awaitLoadtest.describe(awaitLoadtest.spec.parse({ do: 'await-loadtest', until: 'stopped' }))).toMatch(/Stop the running load test/);
    expect(awaitLoadtest.spec.safeParse({ do: 'await-loadtest', scenario: 'smoke' }).success).toBe(false);
    expect(awaitLoadtest.spec.safeParse({ do: 'await-loadtest', until: 'soon' }).success).toBe(false);
  });
});
