import { z } from 'zod';
import { inspectMonthly, type MonthlyReport, nextMonth } from '../../partitioning/messages-monthly.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import { fmt } from './format.js';

const spec = z.strictObject({ kind: z.literal('month-retired') });
type MonthRetiredSpec = z.output<typeof spec>;

/**
 * The first month `messages` was partitioned with is retired the O(1) way: its partition is gone from every
 * shard (a DELETE leaves it), and the month after it is still there on every shard (only one month went).
 */
export function judgeMonthRetired(report: MonthlyReport): CheckResult {
  const missing = report.shards.filter((s) => !s.built).map((s) => s.shard_name);
  if (missing.length)
    return fail(
      `${missing.join(', ')}: ${report.table} is not partitioned by month. Partition it first (“Partition messages by month”, or \`partitions months build\`).`,
    );
  const first = report.shards.map((s) => s.first_month).find((m) => m !== null);
  if (!first) return fail(`${report.table} does not say which month it was partitioned from. Partition it again, then retire its oldest month.`);
  const still = report.shards.flatMap((s) => s.partitions.filter((p) => p.month === first).map((p) => ({ shard: s.shard_name, p })));
  if (still.length) {
    const { shard, p } = still[0]!;
    return fail(
      `${shard} still has ${p.name} (${fmt(p.rows)} live rows). ${p.rows === 0 ? 'A DELETE emptied it but left the partition, its pages and its dead tuples; drop it instead.' : `Retire ${first} by dropping its partition.`}`,
    );
  }
  const next = nextMonth(first);
  const gone = report.shards.filter((s) => !s.partitions.some((p) => p.month === next)).map((s) => s.shard_name);
  if (gone.length) return fail(`${gone.join(', ')} lost ${next} too: more than one month went. Partition messages again and retire only its oldest month.`);
  const rows = report.shards.reduce((n, s) => n + s.messages_rows, 0);
  return pass(`${first} is gone from every shard's ${report.table}, partition and all; the ${fmt(rows)} later messages are all still there.`);
}

/** The messenger's messages, partitioned by month, no longer have their first month, and still have the next. */
export const monthRetired: CheckKind<MonthRetiredSpec> = {
  kind: 'month-retired',
  spec,
  async run(_s, { lab }) {
    return judgeMonthRetired(await inspectMonthly(lab.cluster));
  },
};
