import { describe, expect, it } from 'vitest';
import type { NameRows } from '../../references/claim-walkthrough.js';
import type { UsernameRaceRecord } from '../../references/username-race.js';
import { judgeRaceUnderLoad, raceInsideRun, raceUnderLoad } from './race-under-load.js';

const spec = raceUnderLoad.spec.parse({ kind: 'race-under-load', claims: 50, scenario: 'standard' });
const at = (s: string) => `2026-11-29T10:00:${s}Z`;
const run = {
  id: 'r1',
  state: 'finished',
  params: { scenario: 'standard' },
  started_at: at('00'),
  finished_at: at('20'),
  summary: { requests: 9_000, requests_per_s: 450.2, errors: 0 },
};
const race = (started: string, won = 1, failed = 0): UsernameRaceRecord => ({
  username: 'race-x',
  claims: 50,
  won,
  conflicts: 50 - won - failed,
  failed,
  started_at: at(started),
  finished_at: at('25'),
});
const one: NameRows = {
  lookup: { account_id: 'a1', user_id: 'u1', confirmed: true, age_ms: 10 },
  accounts: [{ shard: 'shard-3', account_id: 'a1', user_id: 'u1' }],
};

describe('race-under-load check', () => {
  it('finds only a race that began while a finished run of the scenario was going', () => {
    expect(raceInsideRun(spec, [run], [race('30')])).toBeNull();
    expect(raceInsideRun(spec, [{ ...run, params: { scenario: 'smoke' } }], [race('05')])).toBeNull();
    expect(raceInsideRun(spec, [run], [{ ...race('05'), claims: 10 }])).toBeNull();
    expect(raceInsideRun(spec, [run], [race('05')])?.run.id).toBe('r1');
  });

  it('passes one winner that the shards confirm, with what the load did', () => {
    const r = judgeRaceUnderLoad(spec, raceInsideRun(spec, [run], [race('05')]), one, false);
    expect(r).toEqual({
      passed: true,
      message:
        'Under the standard run (9,000 requests at 450 req/s, 0 errors), 50 claims for “race-x”: 1 won, 49 got 409. On the shards: one account carries the name (on shard-3), and its confirmed lookup row names it.',
    });
  });

  it('fails a race that lost claims, had no winner, or that the shards contradict', () => {
    const judge = (r: UsernameRaceRecord, rows: NameRows = one) => judgeRaceUnderLoad(spec, raceInsideRun(spec, [run], [r]), rows, false);
    expect(judge(race('05', 1, 3)).message).toMatch(/^3 of the 50 claims .* failed outright/);
    expect(judge(race('05', 0)).message).toMatch(/0 of 50 claims .* won: the name was already held/);
    const two: NameRows = { ...one, accounts: [...one.accounts, { shard: 'shard-1', account_id: 'a2', user_id: 'u2' }] };
    expect(judge(race('05'), two)).toMatchObject({ passed: false, message: expect.stringMatching(/the shards hold 2 account\(s\)/) });
    expect(judgeRaceUnderLoad(spec, null, null, true).message).toMatch(/still going/);
    expect(judgeRaceUnderLoad(spec, null, null, false).message).toMatch(/^Start the standard load test/);
  });
});
