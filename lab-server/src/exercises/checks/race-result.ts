import { z } from 'zod';
import { listRaces, type RaceRecord } from '../../references/race.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import { during, endedRuns, loadRuns, type TimedRun } from './load-window.js';

const spec = z.strictObject({
  kind: z.literal('race-result'),
  min_rounds: z.number().int().min(1),
  /** When set, only runs that ended inside a finished load test of this scenario count: the race under load. */
  scenario: z.string().min(1).optional(),
});
type RaceSpec = z.output<typeof spec>;

/** The race runs that ended while a finished run of the scenario was going (or one stopped after them). */
export function racesUnderLoad(scenario: string, races: readonly RaceRecord[], load: readonly TimedRun[]): RaceRecord[] {
  const finished = endedRuns(load, scenario, 'finished or stopped');
  return races.filter((race) => finished.some((r) => during(r, race.ended_at)));
}

/** The verdict on the recorded race runs: a naive run that left orphans, then the messenger path, as many rounds, leaving none. */
export function judgeRace(s: RaceSpec, all: readonly RaceRecord[], load: readonly TimedRun[] = []): CheckResult {
  const runs = s.scenario ? racesUnderLoad(s.scenario, all, load) : all;
  const underLoad = s.scenario ? ` Only runs that end inside a finished ${s.scenario} load test count: start one first.` : '';
  const naive = [...runs].reverse().find((r) => r.mode === 'naive' && r.rounds >= s.min_rounds && r.orphans > 0);
  if (!naive) {
    const tried = runs.filter((r) => r.mode === 'naive');
    const why =
      tried.length > 0
        ? ` (${tried.length} naive run${tried.length === 1 ? '' : 's'} so far, none with ${s.min_rounds}+ rounds and an orphan: widen the window)`
        : '';
    return fail(
      `No naive run of at least ${s.min_rounds} rounds has left an orphan yet${why}. Press “Run naive” in the race panel, or \`fk race naive --rounds ${s.min_rounds}\`.${underLoad}`,
    );
  }
  const after = runs.slice(runs.indexOf(naive) + 1).filter((r) => r.mode === 'correct' && r.rounds >= naive.rounds);
  const clean = after.find((r) => r.orphans === 0);
  if (!clean) {
    const dirty = after.length > 0 ? ` ${after.length} run(s) since left orphans — look at the audit.` : '';
    return fail(
      `The naive run left ${naive.orphans} orphan(s) in ${naive.rounds} rounds. Now run the messenger path with at least ${naive.rounds} rounds (“Run the messenger path”, or \`fk race correct --rounds ${naive.rounds}\`).${dirty}${underLoad}`,
    );
  }
  const naiveLabel = s.scenario ? `Under the ${s.scenario} load test, naive` : 'Naive';
  return pass(
    `${naiveLabel}: ${naive.orphans} orphan(s) in ${naive.rounds} rounds (${naive.window_ms} ms window). The messenger path: ${clean.created} conversation(s) written, ${clean.refused} refused, 0 orphans.`,
  );
}

/** The check-then-write race: orphans on the naive path, none on the messenger's. */
export const raceResult: CheckKind<RaceSpec> = {
  kind: 'race-result',
  spec,
  async run(s, ctx) {
    const races = await listRaces(ctx.lab.cluster);
    if (!s.scenario) return judgeRace(s, races);
    const runs = await loadRuns(ctx.api);
    return Array.isArray(runs) ? judgeRace(s, races, runs) : runs;
  },
};
