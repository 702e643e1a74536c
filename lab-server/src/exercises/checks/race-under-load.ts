import { z } from 'zod';
import { readName, type NameRows } from '../../references/claim-walkthrough.js';
import { listUsernameRaces, type UsernameRaceRecord } from '../../references/username-race.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import { fmt } from './format.js';
import { during, endedRuns, loadRuns, runGoing, type TimedRun } from './load-window.js';

const spec = z.strictObject({ kind: z.literal('race-under-load'), claims: z.number().int().min(2).max(50), scenario: z.string().min(1) });
type RaceUnderLoadSpec = z.output<typeof spec>;

/** The newest username race of at least `claims` claims that began while a finished run of the scenario was going, with that run. */
export function raceInsideRun(s: RaceUnderLoadSpec, runs: readonly TimedRun[], races: readonly UsernameRaceRecord[]) {
  const finished = endedRuns(runs, s.scenario, 'finished');
  for (const race of [...races].reverse().filter((r) => r.claims >= s.claims)) {
    const run = finished.find((r) => during(r, race.started_at));
    if (run) return { race, run };
  }
  return null;
}

/**
 * The verdict: the race ran under the load, exactly one claim won, and the shards agree — one account carries the
 * name on all of them, and its lookup row is confirmed and names that account.
 */
export function judgeRaceUnderLoad(s: RaceUnderLoadSpec, found: ReturnType<typeof raceInsideRun>, rows: NameRows | null, running: boolean): CheckResult {
  if (!found || !rows) {
    if (running)
      return fail(`The ${s.scenario} run is still going: race ${s.claims} claims for a new name now if you have not, and check when the run has finished.`);
    return fail(
      `Start the ${s.scenario} load test; while its traffic runs, race ${s.claims} claims for a new username (the messenger panel, or \`fk username-race --claims ${s.claims}\`); check once the run has finished.`,
    );
  }
  const { race, run } = found;
  const m = run.summary ?? {};
  const load = `${fmt(m.requests ?? 0)} requests at ${fmt(Math.round(m.requests_per_s ?? 0))} req/s, ${fmt(m.errors ?? 0)} errors`;
  if (race.failed > 0)
    return fail(
      `${fmt(race.failed)} of the ${fmt(race.claims)} claims for “${race.username}” failed outright under the load, so the race counts nothing; run it again.`,
    );
  if (race.won !== 1) {
    return fail(
      `${fmt(race.won)} of ${fmt(race.claims)} claims for “${race.username}” won${race.won === 0 ? ': the name was already held; race for a new one' : ''}.`,
    );
  }
  const one = rows.accounts.length === 1 && rows.lookup?.confirmed === true && rows.lookup.account_id === rows.accounts[0]!.account_id;
  if (!one) {
    return fail(
      `The race said one winner, but the shards hold ${fmt(rows.accounts.length)} account(s) named “${race.username}” and its lookup row is ${rows.lookup ? (rows.lookup.confirmed ? 'confirmed' : 'pending') : 'gone'}.`,
    );
  }
  return pass(
    `Under the ${s.scenario} run (${load}), ${fmt(race.claims)} claims for “${race.username}”: 1 won, ${fmt(race.conflicts)} got 409. On the shards: one account carries the name (on ${rows.accounts[0]!.shard}), and its confirmed lookup row names it.`,
  );
}

/** N concurrent claims for one username, begun while the lab's own load test ran: exactly one winner, checked on the shards. */
export const raceUnderLoad: CheckKind<RaceUnderLoadSpec> = {
  kind: 'race-under-load',
  spec,
  async run(s, { api, lab }) {
    const runs = await loadRuns(api);
    if (!Array.isArray(runs)) return runs;
    const found = raceInsideRun(s, runs, await listUsernameRaces(lab.cluster));
    const rows = found ? await readName({ cluster: lab.cluster, router: lab.ring.router }, found.race.username.toLowerCase()) : null;
    return judgeRaceUnderLoad(s, found, rows, runGoing(runs, s.scenario));
  },
};
