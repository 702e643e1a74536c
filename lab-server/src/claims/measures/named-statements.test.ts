import { describe, expect, it } from 'vitest';
import type { StatementsTrial } from '../../pooling/statements-trial.js';
import { judgeNamedStatements, namedStatements } from './named-statements.js';

const trial = (named: number, unnamed: number, tracks = false): StatementsTrial => ({
  finished_at: '2026-01-01T00:00:00.000Z',
  mode: 'transaction',
  pgbouncer_version: tracks ? '1.21.0' : '1.18.0',
  tracks_prepared_statements: tracks,
  concurrency: 8,
  results: [
    {
      statements: 'named',
      requests: 300,
      failed: named,
      error: named ? 'PostgreSQL: prepared statement "users.find" does not exist. A named…' : null,
      ms: 800,
    },
    { statements: 'unnamed', requests: 300, failed: unnamed, error: unnamed ? 'HTTP 503' : null, ms: 820 },
  ],
});

describe('named-statements', () => {
  it('holds when named statements broke requests and unnamed ones did not, and says what the PgBouncer version could do', () => {
    expect(judgeNamedStatements(trial(86, 0))).toEqual({
      measured:
        'PgBouncer 1.18.0, transaction mode: with named statements 86 of 300 API requests failed (first: PostgreSQL: prepared statement "users.find" does not exist); unnamed, 0 of 300.',
      verdict: 'holds',
      why: 'Named statements broke 86 requests and unnamed ones none. PgBouncer 1.18.0 cannot track them at all (that needs 1.21 and max_prepared_statements).',
    });
    expect(judgeNamedStatements(trial(0, 0, true))).toMatchObject({ verdict: 'fails', why: expect.stringMatching(/could track them itself/) });
    expect(judgeNamedStatements(trial(5, 2)).verdict).toBe('unsettled');
    expect(namedStatements.runs!({ kind: 'named-statements', requests: 300 })).toMatch(/^Sends 300 API requests/);
  });
});
