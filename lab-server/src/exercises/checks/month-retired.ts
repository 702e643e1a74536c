import { z } from 'zod';
import { inspectMonthly, type MonthlyReport } from '../../partitioning/messages-monthly.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import { fmt } from './format.js';

const spec = z.strictObject({ kind: z.literal('month-retired') });
type MonthRetiredSpec = z.output<typeof spec>;

/** What the shards' `messages` say: the oldest month (UTC) and the rows after it. */
export interface MessagesAfter {
  oldest: string | null;
  after: number;
}

/**
 * The oldest month of messages is retired from messages_monthly the O(1) way: its partition is gone from
 * every shard (a DELETE leaves it), and every later message is still there (nothing else was removed).
 */
export function judgeMonthRetired(report: MonthlyReport, messages: MessagesAfter): CheckResult {
  const missing = report.shards.filter((s) => !s.built).map((s) => s.shard_name);
  if (missing.length) return fail(`${missing.join(', ')} has no ${report.table}. Build it first (“Build monthly partitions”, or \`partitions months build\`).`);
  if (!messages.oldest) return fail('There are no messages to retire. Seed some with conversations and messages first.');
  const still = report.shards.flatMap((s) => s.partitions.filter((p) => p.month === messages.oldest).map((p) => ({ shard: s.shard_name, p })));
  if (still.length) {
    const { shard, p } = still[0]!;
    return fail(
      `${shard} still has ${p.name} (${fmt(p.rows)} live rows). ${p.rows === 0 ? 'A DELETE emptied it but left the partition, its pages and its dead tuples; drop it instead.' : `Retire ${messages.oldest} by dropping its partition.`}`,
    );
  }
  const rows = report.shards.reduce((n, s) => n + s.partitions.reduce((m, p) => m + p.rows, 0), 0);
  if (rows !== messages.after) {
    return fail(
      `${report.table} holds ${fmt(rows)} messages, but ${fmt(messages.after)} were sent after ${messages.oldest}: more than one month went. Rebuild it and retire only ${messages.oldest}.`,
    );
  }
  return pass(`${messages.oldest} is gone from every shard's ${report.table}, partition and all; the ${fmt(rows)} later messages are all still there.`);
}

/** messages_monthly no longer has the oldest month of messages, and has every message after it. */
export const monthRetired: CheckKind<MonthRetiredSpec> = {
  kind: 'month-retired',
  spec,
  async run(_s, { lab }) {
    const report = await inspectMonthly(lab.cluster);
    const per = await Promise.all(
      lab.cluster.shards.map((shard) =>
        lab.cluster.pools.onShard(shard.id, async (pool) => {
          const { rows } = await pool.query<{ m: string | null }>(`SELECT to_char(min(created_at) AT TIME ZONE 'UTC', 'YYYY-MM') AS m FROM messages`);
          return rows[0]?.m ?? null;
        }),
      ),
    );
    const oldest = per.filter((m): m is string => m !== null).sort()[0] ?? null;
    let after = 0;
    if (oldest) {
      const counts = await Promise.all(
        lab.cluster.shards.map((shard) =>
          lab.cluster.pools.onShard(shard.id, async (pool) => {
            const { rows } = await pool.query<{ n: string }>(
              `SELECT count(*) AS n FROM messages WHERE created_at >= (($1 || '-01')::timestamp AT TIME ZONE 'UTC') + interval '1 month'`,
              [oldest],
            );
            return Number(rows[0]?.n ?? 0);
          }),
        ),
      );
      after = counts.reduce((a, b) => a + b, 0);
    }
    return judgeMonthRetired(report, { oldest, after });
  },
};
