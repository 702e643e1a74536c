import { describe, expect, it } from 'vitest';
import { fkDemo, judgeFkDemo } from './fk-demo.js';

const run = (scenario: string, on_delete: string | null, outcome: 'refused' | 'done', sqlstate: string | null = outcome === 'refused' ? '23503' : null) =>
  ({ scenario, on_delete, outcome, sqlstate, shard: 'shard-0' }) as Parameters<typeof judgeFkDemo>[1][number];

describe('fk-demo check', () => {
  it('reads the scenario, actions and outcome, and refuses unknown ones', () => {
    expect(fkDemo.spec.parse({ kind: 'fk-demo', scenario: 'cross-shard', outcome: 'refused' })).toEqual({
      kind: 'fk-demo',
      scenario: 'cross-shard',
      outcome: 'refused',
    });
    for (const bad of [
      { scenario: 'drop' },
      { scenario: 'orphan-message', on_delete: ['explode'] },
      { scenario: 'orphan-message', on_delete: [] },
      { scenario: 'orphan-message', sql: 'x' },
    ]) {
      expect(fkDemo.spec.safeParse({ kind: 'fk-demo', ...bad }).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('fails with no run, naming the button and the command', () => {
    const r = judgeFkDemo({ kind: 'fk-demo', scenario: 'orphan-message', outcome: 'refused' }, []);
    expect(r).toEqual({
      passed: false,
      message:
        'No orphan-message run that the database refused yet: press “Insert an orphan message” in the foreign-keys panel, or run `fk demo orphan-message` in the terminal.',
    });
  });

  it('names the actions still missing', () => {
    const r = judgeFkDemo({ kind: 'fk-demo', scenario: 'delete-conversation', on_delete: ['no-action', 'set-null', 'set-default'] }, [
      run('delete-conversation', 'no-action', 'refused'),
    ]);
    expect(r.passed).toBe(false);
    expect(r.message).toMatch(/under SET NULL, SET DEFAULT yet: .*`fk demo delete-conversation <action>`/);
  });

  it('does not count a run with the other outcome, and says how the runs ended', () => {
    const r = judgeFkDemo({ kind: 'fk-demo', scenario: 'delete-and-restore', on_delete: ['restrict'], outcome: 'refused' }, [
      run('delete-and-restore', 'restrict', 'done'),
    ]);
    expect(r.passed).toBe(false);
    expect(r.message).toContain('(runs so far ended done, not refused)');
  });

  it('passes once every action has a run with the outcome, quoting the last SQLSTATE', () => {
    const r = judgeFkDemo({ kind: 'fk-demo', scenario: 'delete-and-restore', on_delete: ['restrict'], outcome: 'refused' }, [
      run('delete-and-restore', 'no-action', 'done'),
      run('delete-and-restore', 'restrict', 'refused', '23001'),
    ]);
    expect(r).toEqual({ passed: true, message: '1 delete-and-restore run recorded on shard-0; the last: PostgreSQL answered SQLSTATE 23001.' });
  });
});
