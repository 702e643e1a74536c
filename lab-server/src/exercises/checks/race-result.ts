import { z } from 'zod';
import { listRaces, type RaceRecord } from '../../references/race.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';

const spec = z.strictObject({ kind: z.literal('race-result'), min_rounds: z.number().int().min(1) });
type RaceSpec = z.output<typeof spec>;

/** The verdict on the recorded race runs: a naive run that left orphans, then the messenger path, as many rounds, leaving none. */
export function judgeRace(s: RaceSpec, runs: readonly RaceRecord[]): CheckResult {
  const naive = [...runs].reverse().find((r) => r.mode === 'naive' && r.rounds >= s.min_rounds && r.orphans > 0);
  if (!naive) {
    const tried = runs.filter((r) => r.mode === 'naive');
    const why =
      tried.length > 0
        ? ` (${tried.length} naive run${tried.length === 1 ? '' : 's'} so far, none with ${s.min_rounds}+ rounds and an orphan: widen the window)`
        : '';
    return fail(
      `No naive run of at least ${s.min_rounds} rounds has left an orphan yet${why}. Press “Run naive” in the race panel, or \`fk race naive --rounds ${s.min_rounds}\`.`,
    );
  }
  const after = runs.slice(runs.indexOf(naive) + 1).filter((r) => r.mode === 'correct' && r.rounds >= naive.rounds);
  const clean = after.find((r) => r.orphans === 0);
  if (!clean) {
    const dirty = after.length > 0 ? ` ${after.length} run(s) since left orphans — look at the audit.` : '';
    return fail(
      `The naive run left ${naive.orphans} orphan(s) in ${naive.rounds} rounds. Now run the messenger path with at least ${naive.rounds} rounds (“Run the messenger path”, or \`fk race correct --rounds ${naive.rounds}\`).${dirty}`,
    );
  }
  return pass(
    `Naive: ${naive.orphans} orphan(s) in ${naive.rounds} rounds (${naive.window_ms} ms window). The messenger path: ${clean.created} conversation(s) written, ${clean.refused} refused, 0 orphans.`,
  );
}

/** The check-then-write race: orphans on the naive path, none on the messenger's. */
export const raceResult: CheckKind<RaceSpec> = {
  kind: 'race-result',
  spec,
  async run(s, ctx) {
    return judgeRace(s, await listRaces(ctx.lab.cluster));
  },
};
