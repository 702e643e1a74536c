import { describe, expect, it } from 'vitest';
import { judgePredictedMove, predictedMove } from './predicted-move.js';

const spec = predictedMove.spec.parse({ kind: 'predicted-move', min_users: 10000 });
const measure = (users: number, moving: number) => ({ added: 'shard-5', users, moving, ring_percent: 16.12 });

describe('predicted-move check', () => {
  it('asks for the prediction first, then for the users to count', () => {
    expect(judgePredictedMove(spec, undefined, measure(20_000, 3_200))).toMatchObject({ passed: false, message: expect.stringContaining('Predict first') });
    expect(judgePredictedMove(spec, 16, measure(500, 80))).toMatchObject({
      passed: false,
      message: expect.stringContaining('load at least 10,000 users (500 so far)'),
    });
  });

  it('passes a prediction within the tolerance of the counted share, and says what the ring predicts', () => {
    expect(judgePredictedMove(spec, 16.12, measure(20_000, 3_300))).toEqual({
      passed: true,
      message:
        "You predicted 16.12 %. Counted on the shards, 3,300 of 20,000 users (16.50 %) sit where the ring with shard-5 would route them elsewhere; the ring's arcs hand 16.12 % of the key space to shard-5. Those are the rows a faithful add strands and a rebalance copies.",
    });
  });

  it('fails a prediction off by more than the tolerance (20 % from an even split is not what the ring does)', () => {
    const r = judgePredictedMove(spec, 20, measure(20_000, 3_300));
    expect(r.passed).toBe(false);
    expect(r.message).toContain('within 1.5 points');
  });
});
