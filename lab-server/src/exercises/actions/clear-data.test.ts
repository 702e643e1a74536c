import { describe, expect, it } from 'vitest';
import { clearData } from './clear-data.js';

describe('clear-data step', () => {
  it('takes no parameters', () => {
    expect(clearData.spec.parse({ do: 'clear-data' })).toEqual({ do: 'clear-data' });
    expect(clearData.spec.safeParse({ do: 'clear-data', tables: ['users'] }).success).toBe(false);
  });

  it('says what it deletes', () => {
    expect(clearData.describe({ do: 'clear-data' })).toBe('Delete every row of the messenger tables on every shard (TRUNCATE)');
  });
});
