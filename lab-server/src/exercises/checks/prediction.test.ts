import { describe, expect, it } from 'vitest';
import type { Prediction } from '../../contracts/predictions.js';
import { judgePrediction, prediction } from './prediction.js';

const spec = prediction.spec.parse({ kind: 'prediction', scenario: 'smoke' });
const made = (measured: number | null, scenario = 'smoke'): Prediction => ({
  id: 3,
  at: '2026-11-29T20:00:00.000Z',
  metric: 'requests_per_s',
  predicted_pct: 20,
  note: 'original-after',
  before: { run: 'a', scenario, value: 100, finished_at: null },
  after: measured === null ? null : { run: 'b', scenario, value: 100 + measured, finished_at: null },
  measured_pct: measured,
  off_by_points: measured === null ? null : measured - 20,
  differed: ['pool_max: 25 → 100'],
});

describe('prediction check', () => {
  it('passes when the learner reads the measurement of their newest prediction, and shows both', () => {
    const r = judgePrediction(spec, 35, [made(35)]);
    expect(r).toMatchObject({ passed: true, message: expect.stringContaining('off by 15 points') });
    expect(judgePrediction(spec, 30, [made(35)]).passed).toBe(false);
    expect(judgePrediction(spec, undefined, [made(35)]).passed).toBe(false);
  });

  it('says what is missing: no prediction, or one still waiting for its run', () => {
    expect(judgePrediction(spec, 0, [])).toMatchObject({ passed: false, message: expect.stringContaining('tune predict') });
    expect(judgePrediction(spec, 0, [made(35, 'standard')]).passed).toBe(false);
    expect(judgePrediction(spec, 0, [made(null)])).toMatchObject({ passed: false, message: expect.stringContaining('waits for its measurement') });
  });
});
