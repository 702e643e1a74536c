import { describe, expect, it } from 'vitest';
import { judgePoolFormula, poolBudget, poolFormula } from './pool-formula.js';

const spec = poolFormula.spec.parse({ kind: 'pool-formula', reserve: 0.2, margin: 0.5 });

describe('pool-formula check', () => {
  it('gives the original its 100 from 500 connections with two pools, and this lab its own number', () => {
    expect(poolBudget(spec, 500, 2)).toBe(100);
    expect(poolBudget(spec, 200, 1)).toBe(80);
    expect(poolBudget(spec, 200, 3)).toBe(26);
  });

  it('judges the answer against the live max_connections and process count', () => {
    const knobs = { max_connections: '200', workers: '2' };
    expect(judgePoolFormula(spec, 26, knobs).passed).toBe(true);
    expect(judgePoolFormula(spec, 80, knobs)).toMatchObject({ passed: false, message: expect.stringContaining('3 processes') });
    expect(judgePoolFormula(spec, 26, { max_connections: 'shard-0: 100, shard-1: 200', workers: '0' }).passed).toBe(false);
  });
});
