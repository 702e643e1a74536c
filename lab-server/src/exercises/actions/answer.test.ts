import { describe, expect, it } from 'vitest';
import { StepFailed } from '../action-kind.js';
import { CheckSpecSchema } from '../checks.js';
import { noCluster } from '../testing/no-cluster.js';
import { answer } from './answer.js';

describe('answer step', () => {
  it('takes no parameters', () => {
    expect(answer.spec.parse({ do: 'answer' })).toEqual({ do: 'answer' });
    expect(answer.spec.safeParse({ do: 'answer', value: 3 }).success).toBe(false);
  });

  it('measures the answer to the exercise being solved and hands it over', async () => {
    const check = CheckSpecSchema.parse({ kind: 'moved-fraction', strategy: 'modulo', from: 5, to: 6 });
    expect(await answer.run({ do: 'answer' }, noCluster, check)).toEqual({ detail: 'Answer: 83.33', answer: 83.33 });
  });

  it('says (none) for a check that asks nothing', async () => {
    const none = await answer.run({ do: 'answer' }, noCluster, { kind: 'loadtest-run' });
    expect(none).toEqual({ detail: 'Answer: (none)', answer: null });
  });

  it('fails in a chapter reset, which has no question to answer', async () => {
    await expect(answer.run({ do: 'answer' }, noCluster, null)).rejects.toThrow(StepFailed);
  });
});
