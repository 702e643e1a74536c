import type { z } from 'zod';
import { referenceAnswer } from '../checks.js';
import { StepFailed, stepSchema, type ActionKind } from '../action-kind.js';

const spec = stepSchema('answer', {});

/** Measures the right answer to the exercise's question now; the engine submits it to the check. */
export const answer: ActionKind<z.output<typeof spec>> = {
  do: 'answer',
  spec,
  describe: () => 'Measure the answer and submit it',
  async run(_s, ctx, solving) {
    if (!solving) throw new StepFailed('An answer step answers an exercise; a chapter reset has nothing to answer.');
    const measured = await referenceAnswer(ctx, solving);
    return { detail: `Answer: ${measured ?? '(none)'}`, answer: measured };
  },
};
