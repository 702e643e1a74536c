import type { z } from 'zod';
import type { CheckKind } from '../check-kind.js';
import { abChangeSpec, abPair, judgeAbRuns } from './ab-runs.js';
import { changePct, finishedRuns } from './tuning-runs.js';

/** A before/after pair (see ab-runs) whose change in req/s the learner measured, in percent (asks a number). */
export const abChange: CheckKind<z.output<typeof abChangeSpec>> = {
  kind: 'ab-change',
  spec: abChangeSpec,
  question: {
    input: () => ({ type: 'number', label: 'Change in req/s', unit: '%' }),
    answer: async (s, ctx) => {
      const pair = abPair(s, await finishedRuns(ctx, s.scenario));
      return pair ? changePct(pair.a.summary!.requests_per_s, pair.b.summary!.requests_per_s) : null;
    },
  },
  async run(s, ctx, answer) {
    return judgeAbRuns(s, answer, await finishedRuns(ctx, s.scenario));
  },
};
