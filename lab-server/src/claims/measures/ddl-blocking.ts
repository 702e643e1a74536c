import { z } from 'zod';
import { fmt } from '../../exercises/checks/format.js';
import { DDL_CHANGES, type DdlReport } from '../../migration-drill/index.js';
import type { Measurement, MeasureKind } from '../measure-kind.js';
import { measureSchema } from './spec.js';

const change = z.enum(DDL_CHANGES);
const spec = measureSchema('ddl-blocking', {
  /** The change the claim is about. */
  change,
  /** The change it is safer than, run in the same measurement on the same shard. */
  baseline: change,
  /** What the claim says the change avoids: a table rewrite, or writes waiting for it. */
  expect: z.enum(['no-rewrite', 'writes-flow']),
  rows: z.number().int().min(10_000).max(2_000_000).default(200_000),
});
type Spec = z.output<typeof spec>;

/** A blocking baseline must hold writes up at least this many times longer than the change before the two are told apart. */
const RATIO = 2;

const ms = (n: number) => `${fmt(Math.round(n))} ms`;
const line = (r: DdlReport) =>
  `${r.sql}: writes waited up to ${ms(r.writes.longest_ms)} (the change took ${ms(r.ddl_ms)}, held ${r.lock_mode ?? 'a lock too brief to see'}, ${r.rewrote ? 'rewrote the table' : 'no rewrite'})`;

export function judgeDdlBlocking(s: Spec, changed: DdlReport, baseline: DdlReport): Measurement {
  const ratio = baseline.writes.longest_ms / Math.max(changed.writes.longest_ms, 1);
  const measured = `On ${changed.shard}, ${fmt(s.rows)} rows, two writers inserting. ${line(changed)}. ${line(baseline)}. The baseline held writes ${fmt(Number(ratio.toFixed(1)))}× as long.`;
  if (s.expect === 'no-rewrite') {
    if (changed.rewrote)
      return { measured, verdict: 'fails', why: `${changed.sql} rewrote the table: this PostgreSQL stores no constant default in the catalog.` };
    if (!baseline.rewrote)
      return { measured, verdict: 'unsettled', why: 'The baseline did not rewrite the table either, so there is nothing to compare with.' };
  } else if (changed.lock_blocks_writes === true) {
    return { measured, verdict: 'fails', why: `${changed.sql} held ${changed.lock_mode}, a lock inserts must wait for.` };
  }
  if (ratio < RATIO) {
    return {
      measured,
      verdict: 'unsettled',
      why: `The baseline did not hold writes up at least ${RATIO}× as long as the change, so this run cannot tell them apart: measure with more rows.`,
    };
  }
  const lock =
    changed.lock_mode === 'AccessExclusiveLock'
      ? ` It still took AccessExclusiveLock, for ${ms(changed.ddl_ms)}: behind a long transaction that moment becomes the lock queue.`
      : '';
  return {
    measured,
    verdict: 'holds',
    why: `${s.expect === 'no-rewrite' ? 'No rewrite' : 'Writes went on beside it'}: inserts waited at most ${ms(changed.writes.longest_ms)}, against ${ms(baseline.writes.longest_ms)} for the baseline.${lock}`,
  };
}

/** A schema change against a riskier one on the first shard, each under a stream of inserts (the Migrations chapter's schema-change drill). */
export const ddlBlocking: MeasureKind<Spec> = {
  kind: 'ddl-blocking',
  spec,
  runs: (s) =>
    `Builds a ${fmt(s.rows)}-row table in lab_drill on the first shard, twice, and runs ${s.baseline} then ${s.change} on it while two sessions insert; the table is dropped afterwards.`,
  measure: async (s, { lab }) => {
    const shard = lab.cluster.shards[0]?.name;
    if (!shard) return { measured: 'No shard to measure on.', verdict: 'unsettled', why: 'The lab has no shard.' };
    const baseline = await lab.migrationDrill.ddl(shard, s.baseline, s.rows);
    const changed = await lab.migrationDrill.ddl(shard, s.change, s.rows);
    return judgeDdlBlocking(s, changed, baseline);
  },
};
