import { describe, expect, it } from 'vitest';
import { restoreStart } from './restore-start.js';

describe('restore-start step', () => {
  it('takes the data of a start, each count defaulting to none', () => {
    expect(restoreStart.spec.parse({ do: 'restore-start', users: 20000 })).toEqual({ do: 'restore-start', users: 20000, conversations: 0, messages: 0 });
    expect(restoreStart.spec.safeParse({ do: 'restore-start', users: -1 }).success).toBe(false);
    expect(restoreStart.spec.safeParse({ do: 'restore-start', shards: 5 }).success).toBe(false);
  });

  it('says what it restores and through which route', () => {
    expect(restoreStart.describe(restoreStart.spec.parse({ do: 'restore-start', users: 20000, messages: 500 }))).toBe(
      "Restore the chapter's start: the configured shards with 20,000 users, 500 messages, from a snapshot — POST /lab/v1/starts",
    );
  });
});
