import { describe, expect, it } from 'vitest';
import { StepFailed } from './action-kind.js';
import { ActionSpecSchema, describeAction, runAction, type ActionSpec } from './actions.js';
import { CheckSpecSchema } from './checks.js';
import { noCluster } from './testing/no-cluster.js';

const parse = (step: unknown): ActionSpec => ActionSpecSchema.parse(step);

describe('the action registry', () => {
  it('parses each kind with its own schema, and any step with an unless check', () => {
    expect(parse({ do: 'add-shard', mode: 'faithful', unless: { kind: 'shard-count', equals: 6 } })).toEqual({
      do: 'add-shard',
      mode: 'faithful',
      unless: { kind: 'shard-count', equals: 6 },
    });
    expect(ActionSpecSchema.safeParse({ do: 'clear-data', unless: { kind: 'vibes' } }).error?.issues[0]?.path).toEqual(['unless', 'kind']);
  });

  it('refuses an unknown step and a parameter of another kind', () => {
    expect(ActionSpecSchema.safeParse({ do: 'drop-database' }).error?.issues[0]?.path).toEqual(['do']);
    expect(ActionSpecSchema.safeParse({ do: 'clear-data', users: 10 }).error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['users'] });
  });

  it('describes a step by its kind', () => {
    expect(describeAction(parse({ do: 'seed', users: 10 }))).toBe('Seed 10 users — POST /lab/v1/seed');
  });

  it('reports a step run and passes on the answer it measured', async () => {
    const check = CheckSpecSchema.parse({ kind: 'moved-fraction', strategy: 'modulo', from: 2, to: 3 });
    expect(await runAction(noCluster, parse({ do: 'answer' }), check)).toEqual({
      report: { step: 'Measure the answer and submit it', status: 'done', detail: 'Answer: 66.67' },
      answer: 66.67,
    });
  });

  it('lets a step fail with a reason the learner can act on', async () => {
    await expect(runAction(noCluster, parse({ do: 'answer' }), null)).rejects.toThrow(StepFailed);
  });
});
