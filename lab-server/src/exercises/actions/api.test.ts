import { describe, expect, it } from 'vitest';
import { api } from './api.js';

describe('api step', () => {
  it('calls only the lab’s own APIs', () => {
    expect(api.spec.parse({ do: 'api', method: 'POST', path: '/lab/v1/migrations/latest' })).toEqual({
      do: 'api',
      method: 'POST',
      path: '/lab/v1/migrations/latest',
    });
    for (const path of ['/etc/passwd', 'http://example.com/lab/v1/x', '/lab/v2/x', '//evil/api/v1/']) {
      expect(api.spec.safeParse({ do: 'api', method: 'GET', path }).error?.issues[0]?.message, path).toBe('path must start with /api/v1/ or /lab/v1/');
    }
    expect(api.spec.safeParse({ do: 'api', method: 'PATCH', path: '/api/v1/users' }).success).toBe(false);
  });

  it('shows the call, with its body when it has one', () => {
    expect(api.describe({ do: 'api', method: 'POST', path: '/lab/v1/migrations/latest' })).toBe('POST /lab/v1/migrations/latest');
    expect(api.describe({ do: 'api', method: 'POST', path: '/api/v1/users', body: { first_name: 'Grace' } })).toBe('POST /api/v1/users {"first_name":"Grace"}');
  });
});
