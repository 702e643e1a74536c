import { describe, expect, it } from 'vitest';
import type { QueryShapesTrial, ShapePair } from '../../contracts/query-shapes.js';
import { judgeQueryShape, queryShape } from './query-shape.js';

const side = (shape: string, p50: number) => ({ shape, sql: '…', mean_us: p50 * 1.1, p50_us: p50, ops_per_s: Math.round(1e6 / (p50 * 1.1)) });
const trial = (pair: ShapePair, defaultP50: number, tunedP50: number): QueryShapesTrial => {
  const ratio = defaultP50 / tunedP50;
  return {
    at: '2026-01-01T00:00:00.000Z',
    shard: 'shard-0',
    rounds: 300,
    warmup: 30,
    rows_written: 710,
    rows_left: 0,
    pairs: [
      {
        pair,
        title: '…',
        gorm_default: side('First(&user, id)', defaultP50),
        tuned: side('Take(&user, id)', tunedP50),
        ratio,
        change_pct: Math.round((ratio - 1) * 1000) / 10,
        claimed: { min: 10, max: 20, text: '10–20 %' },
      },
    ],
  };
};
const spec = (pair: ShapePair, min: number, max: number) => queryShape.spec.parse({ kind: 'query-shape', pair, claimed_pct: { min, max } });

describe('query-shape', () => {
  it('holds when the tuned shape is faster by a percentage inside the claimed range, with the numbers', () => {
    expect(judgeQueryShape(spec('take', 10, 20), trial('take', 230, 200))).toEqual({
      measured: 'shard-0, 300 rounds per side: First(&user, id) p50 230 µs (3,953/s), Take(&user, id) p50 200 µs (4,545/s): the tuned shape is +15.0 % faster.',
      verdict: 'holds',
      why: expect.stringMatching(/^\+15\.0 % is inside the claimed 10–20 %\. For a lookup by primary key both statements get the same plan/),
    });
  });

  it('fails below and above the range, and says what sets the difference here', () => {
    const below = judgeQueryShape(spec('transaction', 25, 35), trial('transaction', 1100, 1000));
    expect(below.verdict).toBe('fails');
    // (1100 − 1000) ÷ 2: the two extra round trips of BEGIN and COMMIT.
    expect(below.why).toMatch(/^\+10\.0 % is below the claimed 25–35 %\. .*about 50 µs each here over loopback/);
    const above = judgeQueryShape(spec('updates', 20, 30), trial('updates', 400, 200));
    expect(above).toMatchObject({ verdict: 'fails', why: expect.stringMatching(/^\+100\.0 % is above the claimed 20–30 %\. Both update one row/) });
    const slower = judgeQueryShape(spec('columns', 30, 50), trial('columns', 190, 200));
    expect(slower.measured).toMatch(/the tuned shape is -5\.0 % faster/);
    expect(slower.why).toMatch(/is below the claimed 30–50 %\. Both read the same page/);
  });

  it('is unsettled when the trial lacks the pair, and says what it runs', () => {
    expect(judgeQueryShape(spec('take', 10, 20), trial('columns', 200, 100)).verdict).toBe('unsettled');
    expect(queryShape.runs!(spec('take', 10, 20))).toMatch(/^Runs the take pair of statements 300 times per side/);
    expect(() => queryShape.spec.parse({ kind: 'query-shape', pair: 'select', claimed_pct: { min: 1, max: 2 } })).toThrow();
  });
});
