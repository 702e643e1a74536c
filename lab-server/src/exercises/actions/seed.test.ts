import { describe, expect, it } from 'vitest';
import { seed } from './seed.js';

describe('seed step', () => {
  it('takes 1 to 10 million users, nothing else', () => {
    expect(seed.spec.parse({ do: 'seed', users: 20000 })).toEqual({ do: 'seed', users: 20000 });
    for (const users of [0, 10_000_001, 1.5, '100']) expect(seed.spec.safeParse({ do: 'seed', users }).success, String(users)).toBe(false);
    expect(seed.spec.safeParse({ do: 'seed', users: 10, shards: 2 }).success).toBe(false);
  });

  it('takes an unless check, validated as a check', () => {
    expect(seed.spec.parse({ do: 'seed', users: 10, unless: { kind: 'users-total', at_least: 10 } }).unless).toEqual({ kind: 'users-total', at_least: 10 });
    expect(seed.spec.safeParse({ do: 'seed', users: 10, unless: { kind: 'users-total', at_least: -1 } }).success).toBe(false);
  });

  it('says how many users and which API', () => {
    expect(seed.describe({ do: 'seed', users: 20000 })).toBe('Seed 20,000 users — POST /lab/v1/seed');
  });
});
