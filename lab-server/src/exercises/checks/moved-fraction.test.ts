import { describe, expect, it } from 'vitest';
import golden from '../../sharding/testdata/md5-ring.golden.json' with { type: 'json' };
import { noCluster } from '../testing/no-cluster.js';
import { movedFraction, movedPercent } from './moved-fraction.js';

const spec = (strategy: 'md5-ring' | 'modulo', from: number, to: number) => movedFraction.spec.parse({ kind: 'moved-fraction', strategy, from, to });

describe('moved-fraction check', () => {
  it('gives one point of tolerance by default; refuses unknown strategies and shard counts outside 1..32', () => {
    expect(spec('modulo', 5, 6)).toEqual({ kind: 'moved-fraction', strategy: 'modulo', from: 5, to: 6, tolerance_points: 1 });
    for (const bad of [{ strategy: 'jump' }, { from: 0 }, { to: 33 }, { from: 2.5 }]) {
      expect(movedFraction.spec.safeParse({ kind: 'moved-fraction', strategy: 'modulo', from: 5, to: 6, ...bad }).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('asks for a percentage, naming the change', () => {
    expect(movedFraction.question?.input(spec('modulo', 5, 6))).toEqual({ type: 'number', label: 'Share of keys that move, 5 → 6 shards (modulo)', unit: '%' });
  });

  it.each(golden.movedPercent)('answers $percent % for the ring from $from to $to shards, as the original measured', async ({ from, to, percent }) => {
    expect(await movedFraction.question?.answer(spec('md5-ring', from, to), noCluster)).toBe(percent);
  });

  it('answers 5/6 for modulo from 5 to 6: a key stays only when h mod 5 = h mod 6', () => {
    expect(movedPercent(spec('modulo', 5, 6))).toBeCloseTo(100 * (25 / 30), 1);
  });

  it('passes within the tolerance, comparing with an ideal scheme, and needs no cluster', async () => {
    const s = spec('modulo', 5, 6);
    const r = await movedFraction.run(s, noCluster, 84);
    expect(r).toEqual({
      passed: true,
      message: `Right: going from 5 to 6 shards with modulo moves ${movedPercent(s).toFixed(2)} % of the key space (an ideal scheme would move 16.67 %).`,
    });
  });

  it('fails outside the tolerance, pointing at the right line of the widget', async () => {
    expect(await movedFraction.run(spec('modulo', 5, 6), noCluster, 16.67)).toEqual({
      passed: false,
      message: '16.67 % is off by more than 1 points. In the ring widget set 5 shards and read what moves when going to 6 (the modulo line).',
    });
    expect((await movedFraction.run(spec('md5-ring', 5, 6), noCluster, 30)).message).toMatch(/\(the ring line\)\.$/);
    expect((await movedFraction.run(spec('md5-ring', 5, 6), noCluster, undefined)).message).toBe('Enter a percentage first.');
  });
});
