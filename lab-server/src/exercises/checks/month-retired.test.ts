import { describe, expect, it } from 'vitest';
import type { MonthlyReport } from '../../partitioning/messages-monthly.js';
import { judgeMonthRetired } from './month-retired.js';

const report = (months: [string | null, number][], built = true, first: string | null = '2026-01'): MonthlyReport => ({
  table: 'messages',
  shards: [
    {
      shard_name: 'shard-0',
      reachable: true,
      built,
      first_month: built ? first : null,
      messages_rows: months.reduce((n, [, rows]) => n + rows, 0),
      partitions: months.map(([month, rows]) => ({
        name: month ? `messages_m${month.replace('-', '_')}` : 'messages_default',
        month,
        bound: '',
        rows,
        bytes: 0,
      })),
    },
  ],
});

describe('month-retired check', () => {
  it('passes when the first month is gone and the next stays', () => {
    const r = judgeMonthRetired(
      report([
        ['2026-02', 30],
        ['2026-03', 12],
        [null, 0],
      ]),
    );
    expect(r).toEqual({
      passed: true,
      message: "2026-01 is gone from every shard's messages, partition and all; the 42 later messages are all still there.",
    });
  });

  it('fails a DELETE that left the empty partition, a month not retired, and more than one month gone', () => {
    expect(
      judgeMonthRetired(
        report([
          ['2026-01', 0],
          ['2026-02', 30],
        ]),
      ).message,
    ).toMatch(/A DELETE emptied it but left the partition/);
    expect(
      judgeMonthRetired(
        report([
          ['2026-01', 5],
          ['2026-02', 30],
        ]),
      ).message,
    ).toMatch(/Retire 2026-01 by dropping its partition/);
    expect(judgeMonthRetired(report([['2026-03', 12]])).message).toMatch(/lost 2026-02 too: more than one month went/);
  });

  it('says what is missing before there is anything to judge', () => {
    expect(judgeMonthRetired(report([], false)).message).toMatch(/messages is not partitioned by month/);
    expect(judgeMonthRetired(report([['2026-02', 1]], true, null)).message).toMatch(/does not say which month/);
  });
});
