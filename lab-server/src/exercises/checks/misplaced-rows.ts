import { z } from 'zod';
import { auditPlacement, type PlacementReport } from '../../placement/audit.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import { fmt } from './format.js';
import { count } from './params.js';

const spec = z.strictObject({ kind: z.literal('misplaced-rows'), equals: count.optional(), at_least: count.optional() });
type MisplacedRowsSpec = z.output<typeof spec>;

/** The verdict on a placement audit (`GET /lab/v1/placement` serves the same report). */
export function judgeMisplacedRows(s: MisplacedRowsSpec, report: Pick<PlacementReport, 'shards' | 'total_rows' | 'total_misplaced'>): CheckResult {
  const unreachable = report.shards.filter((x) => !x.reachable).map((x) => x.shard_name);
  if (unreachable.length > 0) return fail(`${unreachable.join(', ')} did not answer, so its rows cannot be audited. Start it again first.`);
  const where = report.shards
    .filter((x) => x.misplaced > 0)
    .map((x) => `${x.shard_name}: ${fmt(x.misplaced)}`)
    .join(', ');
  const m = report.total_misplaced;
  if (s.equals !== undefined && m !== s.equals) {
    return fail(
      s.equals === 0
        ? `${fmt(m)} rows still sit on a shard the ring does not send their key to (${where}). Move them: undo the faithful add and add the shard again with rebalancing.`
        : `${fmt(m)} rows are misplaced; this step expects ${fmt(s.equals)}.`,
    );
  }
  if (s.at_least !== undefined && m < s.at_least) {
    return fail(
      `${fmt(m)} rows are misplaced; this step expects at least ${fmt(s.at_least)}. Orphans appear when the ring changes and no data moves: seed users first, then add a shard in faithful mode.`,
    );
  }
  return pass(
    m === 0
      ? `Every one of ${fmt(report.total_rows)} rows lives on the shard the ring sends its key to.`
      : `${fmt(m)} of ${fmt(report.total_rows)} rows are orphans: the ring sends their keys elsewhere (${where}).`,
  );
}

/** That many rows sit on a shard the ring does not route their key to. */
export const misplacedRows: CheckKind<MisplacedRowsSpec> = {
  kind: 'misplaced-rows',
  spec,
  async run(s, { lab }) {
    return judgeMisplacedRows(s, await auditPlacement(lab.cluster, lab.ring.router, lab.topology().ring.version));
  },
};
