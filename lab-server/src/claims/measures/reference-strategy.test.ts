import { describe, expect, it } from 'vitest';
import { judgeReferenceStrategy, referenceStrategy } from './reference-strategy.js';

const spec = (strategy: string, claimed_consistency: string) => referenceStrategy.spec.parse({ kind: 'reference-strategy', strategy, claimed_consistency });

describe('reference-strategy', () => {
  it('knows the three strategies it can break and defaults the race to 10 rounds, 200 ms', () => {
    expect(spec('application', 'eventual')).toMatchObject({ rounds: 10, window_ms: 200 });
    expect(referenceStrategy.spec.safeParse({ kind: 'reference-strategy', strategy: 'denormalisation', claimed_consistency: 'eventual' }).success).toBe(false);
    expect(referenceStrategy.runs?.(spec('events', 'eventual'))).toMatch(/deletes one member/);
  });

  it('co-location is strong when PostgreSQL refuses the orphan, and the claim fails when it does not', () => {
    const refused = { strategy: 'co-location', refused: true, sqlstate: '23503', constraint: 'messages_conversation_fkey', shard: 'shard-0' } as const;
    expect(judgeReferenceStrategy(spec('co-location', 'strong'), refused)).toEqual({
      measured:
        'An insert naming a missing parent on shard-0 was refused by PostgreSQL (SQLSTATE 23503, messages_conversation_fkey): no orphan was ever written.',
      verdict: 'holds',
      why: 'Claimed: strong consistency. The database checks the reference inside the writing transaction.',
    });
    expect(judgeReferenceStrategy(spec('co-location', 'strong'), { ...refused, refused: false }).verdict).toBe('fails');
  });

  it('application-level checks are eventual when the naive race leaves orphans, unsettled when it missed', () => {
    const o = (orphans: number) => ({ strategy: 'application', naive: { rounds: 10, window_ms: 200, orphans }, correct: { rounds: 10, orphans: 0 } }) as const;
    const hit = judgeReferenceStrategy(spec('application', 'eventual'), o(7));
    expect(hit.verdict).toBe('holds');
    expect(hit.measured).toBe(
      "Check-then-write against a concurrent delete, 10 rounds: the naive check (200 ms window) left 7 orphan(s); the messenger's locked path left 0 in 10.",
    );
    expect(judgeReferenceStrategy(spec('application', 'eventual'), o(0)).verdict).toBe('unsettled');
    expect(judgeReferenceStrategy(spec('application', 'strong'), o(7)).verdict).toBe('fails');
  });

  it('event-driven cleanup is eventual when the references go after a lag and none is left; it fails when one is left', () => {
    const o = { strategy: 'events', lag_ms: 38, attempts: 1, dangling_after: 0, member_shard: 'shard-3' } as const;
    expect(judgeReferenceStrategy(spec('events', 'eventual'), o).verdict).toBe('holds');
    expect(judgeReferenceStrategy(spec('events', 'strong'), o).verdict).toBe('fails');
    expect(judgeReferenceStrategy(spec('events', 'eventual'), { ...o, dangling_after: 1 }).verdict).toBe('fails');
  });
});
