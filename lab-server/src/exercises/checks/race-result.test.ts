import { describe, expect, it } from 'vitest';
import { judgeRace, raceResult } from './race-result.js';

const spec = { kind: 'race-result' as const, min_rounds: 10 };
const run = (mode: 'naive' | 'correct', orphans: number, rounds = 10, ended_at = '2026-11-29T10:00:05.000Z') => ({
  mode,
  rounds,
  window_ms: 200,
  created: rounds,
  refused: 0,
  orphans,
  ended_at,
});

describe('race-result check', () => {
  it('needs a whole number of rounds', () => {
    expect(raceResult.spec.parse(spec)).toEqual(spec);
    expect(raceResult.spec.safeParse({ ...spec, min_rounds: 0 }).success).toBe(false);
  });

  it('asks for a naive run first, and says when the window was too narrow to lose anything', () => {
    expect(judgeRace(spec, []).message).toMatch(/^No naive run of at least 10 rounds has left an orphan yet\. Press “Run naive”/);
    expect(judgeRace(spec, [run('naive', 0)]).message).toContain('(1 naive run so far, none with 10+ rounds and an orphan: widen the window)');
  });

  it('then asks for the messenger path with as many rounds, after the naive run', () => {
    const r = judgeRace(spec, [run('correct', 0), run('naive', 7)]);
    expect(r).toEqual({
      passed: false,
      message:
        'The naive run left 7 orphan(s) in 10 rounds. Now run the messenger path with at least 10 rounds (“Run the messenger path”, or `fk race correct --rounds 10`).',
    });
    expect(judgeRace(spec, [run('naive', 7), run('correct', 0, 5)]).passed).toBe(false);
  });

  it('passes on orphans, then none', () => {
    expect(judgeRace(spec, [run('naive', 7), run('correct', 0)])).toEqual({
      passed: true,
      message: 'Naive: 7 orphan(s) in 10 rounds (200 ms window). The messenger path: 10 conversation(s) written, 0 refused, 0 orphans.',
    });
  });

  it('under load, counts only the runs that ended inside a finished run of the scenario', () => {
    const loaded = { ...spec, scenario: 'standard' };
    const load = [
      { id: 'a', state: 'finished', params: { scenario: 'standard' }, started_at: '2026-11-29T10:00:00.000Z', finished_at: '2026-11-29T10:00:20.000Z' },
      { id: 'b', state: 'finished', params: { scenario: 'smoke' }, started_at: '2026-11-29T11:00:00.000Z', finished_at: '2026-11-29T11:00:20.000Z' },
    ];
    const inside = [run('naive', 7), run('correct', 0, 10, '2026-11-29T10:00:15.000Z')];
    expect(judgeRace(loaded, inside, load)).toMatchObject({ passed: true, message: expect.stringMatching(/^Under the standard load test, naive: 7 orphan/) });
    // The same runs with no load, or under another scenario's load, do not count.
    expect(judgeRace(loaded, inside, []).message).toMatch(/Only runs that end inside a finished standard load test count/);
    const elsewhere = [run('naive', 7, 10, '2026-11-29T11:00:05.000Z'), run('correct', 0, 10, '2026-11-29T11:00:10.000Z')];
    expect(judgeRace(loaded, elsewhere, load).passed).toBe(false);
    // A naive run under load, the messenger path after the run ended: not yet.
    expect(judgeRace(loaded, [run('naive', 7), run('correct', 0, 10, '2026-11-29T10:00:30.000Z')], load).passed).toBe(false);
  });
});
