import { describe, expect, it } from 'vitest';
import { Md5Ring } from './md5-ring.js';
import { Modulo } from './modulo.js';
import { createStrategy, DEFAULT_VNODES, defaultShardNames, STRATEGY_NAMES } from './strategies.js';

describe('createStrategy', () => {
  const names = defaultShardNames(4);

  it('builds a 150-vnode ring by default', () => {
    const s = createStrategy('md5-ring', names);
    expect(s).toBeInstanceOf(Md5Ring);
    expect([s.name, s.shardCount, s.vnodes]).toEqual(['md5-ring', 4, DEFAULT_VNODES]);
    expect(DEFAULT_VNODES).toBe(150);
  });

  it('passes vnodes to the ring and ignores them for modulo', () => {
    expect(createStrategy('md5-ring', names, 10).vnodes).toBe(10);
    const m = createStrategy('modulo', names, 10);
    expect(m).toBeInstanceOf(Modulo);
    expect([m.shardCount, m.vnodes]).toEqual([4, null]);
  });

  it('builds every listed strategy', () => {
    expect(STRATEGY_NAMES).toEqual(['md5-ring', 'modulo']);
    for (const name of STRATEGY_NAMES) expect(createStrategy(name, names).name).toBe(name);
  });
});

describe('defaultShardNames', () => {
  it('follows the shard-i convention', () => {
    expect(defaultShardNames(3)).toEqual(['shard-0', 'shard-1', 'shard-2']);
    expect(defaultShardNames(0)).toEqual([]);
  });
});
