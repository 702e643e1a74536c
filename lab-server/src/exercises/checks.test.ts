import { describe, expect, it } from 'vitest';
import { answerSpec, CheckSpecSchema, referenceAnswer, runCheck, type CheckSpec } from './checks.js';
import { noCluster } from './testing/no-cluster.js';

const parse = (spec: unknown): CheckSpec => CheckSpecSchema.parse(spec);

describe('the check registry', () => {
  it('parses each kind with its own schema, defaults included', () => {
    expect(parse({ kind: 'largest-share', min_users: 10 })).toEqual({ kind: 'largest-share', min_users: 10, tolerance_points: 0.5 });
    expect(parse({ kind: 'all', of: [{ kind: 'shards-up' }] })).toEqual({ kind: 'all', of: [{ kind: 'shards-up' }] });
  });

  it('refuses an unknown kind and a parameter of another kind, at the field', () => {
    expect(CheckSpecSchema.safeParse({ kind: 'vibes' }).error?.issues[0]?.path).toEqual(['kind']);
    expect(CheckSpecSchema.safeParse({ kind: 'shards-up', equals: 5 }).error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['equals'] });
  });

  it('asks a question only for the kinds that have one', () => {
    expect(answerSpec(parse({ kind: 'route', key: '019478a1-3c5f-7d9e-8b3c-4a5f6e7d8c9b' }))?.type).toBe('shard');
    expect(answerSpec(parse({ kind: 'moved-fraction', strategy: 'modulo', from: 5, to: 6 }))?.type).toBe('number');
    expect(answerSpec(parse({ kind: 'users-total', at_least: 1 }))).toBeNull();
    expect(answerSpec(parse({ kind: 'all', of: [{ kind: 'smallest-shard', min_users: 1 }] }))).toBeNull();
  });

  it('measures a reference answer only for kinds with a question', async () => {
    expect(await referenceAnswer(noCluster, parse({ kind: 'moved-fraction', strategy: 'modulo', from: 2, to: 3 }))).toBe(66.67);
    expect(await referenceAnswer(noCluster, parse({ kind: 'shards-up' }))).toBeNull();
  });

  it('runs the kind the spec names', async () => {
    const r = await runCheck(noCluster, parse({ kind: 'moved-fraction', strategy: 'modulo', from: 2, to: 3 }), 66.67);
    expect(r.passed).toBe(true);
  });
});
