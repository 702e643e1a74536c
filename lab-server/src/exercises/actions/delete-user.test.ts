import { describe, expect, it } from 'vitest';
import { deleteUser } from './delete-user.js';

describe('delete-user step', () => {
  it('takes a first and a last name, nothing else', () => {
    expect(deleteUser.spec.parse({ do: 'delete-user', first_name: 'Ada', last_name: 'Lovelace' })).toEqual({
      do: 'delete-user',
      first_name: 'Ada',
      last_name: 'Lovelace',
    });
    expect(deleteUser.spec.safeParse({ do: 'delete-user', first_name: 'Ada' }).success).toBe(false);
    expect(deleteUser.spec.safeParse({ do: 'delete-user', first_name: 'Ada', last_name: 'L', id: 'x' }).success).toBe(false);
  });

  it('says what it calls and what it waits for', () => {
    expect(deleteUser.describe({ do: 'delete-user', first_name: 'Ada', last_name: 'Lovelace' })).toBe(
      'Delete Ada Lovelace — DELETE /api/v1/users/<id>, then wait for GET /lab/v1/outbox to report nothing pending',
    );
  });
});
