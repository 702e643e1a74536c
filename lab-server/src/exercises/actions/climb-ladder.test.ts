import { describe, expect, it } from 'vitest';
import { climbLadder } from './climb-ladder.js';

describe('climb-ladder step', () => {
  it('names the rungs it climbs, with defaults, and refuses a rung the ladder does not have', () => {
    const s = climbLadder.spec.parse({ do: 'climb-ladder', rungs: ['baseline', 'cache'] });
    expect(s).toEqual({ do: 'climb-ladder', rungs: ['baseline', 'cache'], duration_s: 3, connections: 10, warmup_s: 2, repeats: 1 });
    expect(climbLadder.describe(s)).toBe('Climb the ladder over baseline → cache, 3 s per rung — POST /lab/v1/ladder');
    expect(climbLadder.describe({ ...s, repeats: 3 })).toBe('Climb the ladder over baseline → cache, 3 runs of 3 s per rung — POST /lab/v1/ladder');
    expect(climbLadder.spec.safeParse({ do: 'climb-ladder', rungs: ['baseline', 'elevator'] }).success).toBe(false);
    expect(climbLadder.spec.safeParse({ do: 'climb-ladder', rungs: ['baseline'] }).success).toBe(false);
  });
});
