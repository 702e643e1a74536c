import { describe, expect, it } from 'vitest';
import { judgeDrill, outboxDrill } from './outbox-drill.js';

const drill = (attempts_while_down: number, orphans: number, delivered = true) => ({ attempts_while_down, delivered, lag_ms: 4200, orphans });

describe('outbox-drill check', () => {
  it('takes no parameters', () => {
    expect(outboxDrill.spec.safeParse({ kind: 'outbox-drill' }).success).toBe(true);
    expect(outboxDrill.spec.safeParse({ kind: 'outbox-drill', rounds: 2 }).success).toBe(false);
  });

  it('asks for a drill, then names the orphans a bad one left', () => {
    expect(judgeDrill([]).message).toBe('No drill has run yet. Press “Kill a shard during a cleanup” in the outbox panel, or `fk outbox-drill`.');
    expect(judgeDrill([drill(2, 1)])).toEqual({
      passed: false,
      message: 'The last drill left 1 orphan(s) (delivered: yes). Run the audit to see them, then run the drill again.',
    });
    expect(judgeDrill([drill(0, 0)]).passed).toBe(false);
  });

  it('passes on a drill whose event waited and then went through, leaving nothing behind', () => {
    expect(judgeDrill([drill(2, 1), drill(3, 0)])).toEqual({
      passed: true,
      message: 'The event failed 3 time(s) while the shard was down, was delivered 4200 ms after the delete, and left 0 orphans.',
    });
  });
});
