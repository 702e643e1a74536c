import { describe, expect, it } from 'vitest';
import { deleteUser } from './delete-user.js';

describe('delete-user step', () => {
  it('takes a first and a last name and the title of the conversation, nothing else', () => {
    const step = { do: 'delete-user', first_name: 'Ada', last_name: 'Lovelace', member_of: 'Analytical Engine' };
    expect(deleteUser.spec.parse(step)).toEqual(step);
    expect(deleteUser.spec.safeParse({ do: 'delete-user', first_name: 'Ada', member_of: 'Analytical Engine' }).success).toBe(false);
    expect(deleteUser.spec.safeParse({ do: 'delete-user', first_name: 'Ada', last_name: 'Lovelace' }).success).toBe(false);
    expect(deleteUser.spec.safeParse({ ...step, id: 'x' }).success).toBe(false);
  });

  it('says what it calls and what it waits for', () => {
    expect(deleteUser.describe({ do: 'delete-user', first_name: 'Ada', last_name: 'Lovelace', member_of: 'Analytical Engine' })).toBe(
      'Delete Ada Lovelace, a member of “Analytical Engine” — DELETE /api/v1/users/<id>, then wait for GET /lab/v1/outbox to report nothing pending',
    );
  });
});
