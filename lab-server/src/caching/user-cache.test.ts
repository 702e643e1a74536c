import { describe, expect, it } from 'vitest';
import { KeyCache } from './user-cache.js';

describe('KeyCache', () => {
  it('off: stores nothing and counts nothing', () => {
    const c = new KeyCache<string>();
    c.set('a', 'A', 0);
    expect(c.get('a', 1)).toBeUndefined();
    expect(c.stats()).toMatchObject({ mode: 'off', entries: 0, hits: 0, misses: 0 });
  });

  it('ttl-only: a hit until the entry expires, whatever is written meanwhile', () => {
    const c = new KeyCache<string>();
    c.configure('ttl-only', 10);
    expect(c.get('a', 0)).toBeUndefined();
    c.set('a', 'old', 0);
    c.wrote('a');
    expect(c.get('a', 9_999)).toBe('old');
    expect(c.get('a', 10_000)).toBeUndefined();
    expect(c.stats()).toMatchObject({ mode: 'ttl-only', ttl_s: 10, entries: 0, hits: 1, misses: 2, invalidations: 0 });
  });

  it('invalidate: a write deletes the entry, so the next read misses; a new mode starts empty', () => {
    const c = new KeyCache<string>();
    c.configure('invalidate', 900);
    c.set('a', 'old', 0);
    c.wrote('a');
    c.wrote('b');
    expect(c.get('a', 1)).toBeUndefined();
    expect(c.stats()).toMatchObject({ hits: 0, misses: 1, invalidations: 1 });
    c.set('a', 'new', 1);
    c.configure('ttl-only', 900);
    expect(c.stats()).toMatchObject({ entries: 0, hits: 0, misses: 0, invalidations: 0 });
  });
});
