import { describe, expect, it } from 'vitest';
import { judgeClean, referencesClean, type CleanFacts } from './references-clean.js';

const spec = { kind: 'references-clean' as const, title: 'Analytical Engine', first_name: 'Ada', last_name: 'Lovelace' };
const clean: CleanFacts = { members: 3, senderless: 1, namesakes: 0, pending: 0, dangling: 0, unreachable: [] };

describe('references-clean check', () => {
  it('needs a title and a name', () => {
    expect(referencesClean.spec.parse(spec)).toEqual(spec);
    expect(referencesClean.spec.safeParse({ ...spec, first_name: '' }).success).toBe(false);
  });

  it('passes when the user is gone, the outbox is empty and nothing dangles', () => {
    expect(judgeClean(spec, clean)).toEqual({
      passed: true,
      message: 'Ada Lovelace is gone, the outbox is empty, and every member row points at a user who exists; “Analytical Engine” keeps 3 member(s).',
    });
  });

  it('says, in order, what is still missing', () => {
    const cases: [Partial<CleanFacts>, RegExp][] = [
      [{ members: null }, /no conversation titled “Analytical Engine”/],
      [{ namesakes: 1 }, /Ada Lovelace, a member of “Analytical Engine”, still exists \(1 user\)/],
      [{ unreachable: ['shard-2'] }, /shard-2 did not answer/],
      [{ pending: 2 }, /2 outbox events still pending/],
      [{ senderless: 0 }, /must have written in it before being deleted/],
      [{ dangling: 1 }, /still has 1 member row\(s\) whose user is gone/],
    ];
    for (const [change, message] of cases) {
      const r = judgeClean(spec, { ...clean, ...change });
      expect(r.passed, JSON.stringify(change)).toBe(false);
      expect(r.message).toMatch(message);
    }
  });
});
