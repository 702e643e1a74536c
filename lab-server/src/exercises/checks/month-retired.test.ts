import { describe, expect, it } from 'vitest';
import type { MonthlyReport } from '../../partitioning/messages-monthly.js';
import { judgeMonthRetired } from './month-retired.js';

const report = (months: [string | null, number][], built = true): MonthlyReport => ({
  table: 'messages_monthly',
  shards: [
    {
      shard_name: 'shard-0',
      reachable: true,
      built,
      messages_rows: 0,
      partitions: months.map(([month, rows]) => ({
        name: month ? `messages_m${month.replace('-', '_')}` : 'messages_monthly_default',
        month,
        bound: '',
        rows,
        bytes: 0,
      })),
    },
  ],
});

describe('month-retired check', () => {
  it('passes when the oldest month is gone and every later message stays', () => {
    const r = judgeMonthRetired(
      report([
        ['2026-02', 30],
        ['2026-03', 12],
        [null, 0],
      ]),
      { oldest: '2026-01', after: 42 },
    );
    expect(r).toEqual({
      passed: true,
      message: "2026-01 is gone from every shard's messages_monthly, partition and all; the 42 later messages are all still there.",
    });
  });

  it('fails a DELETE that left the empty partition, a month not retired, and more than one month gone', () => {
    expect(
      judgeMonthRetired(
        report([
          ['2026-01', 0],
          ['2026-02', 30],
        ]),
        { oldest: '2026-01', after: 30 },
      ).message,
    ).toMatch(/A DELETE emptied it but left the partition/);
    expect(
      judgeMonthRetired(
        report([
          ['2026-01', 5],
          ['2026-02', 30],
        ]),
        { oldest: '2026-01', after: 30 },
      ).message,
    ).toMatch(/Retire 2026-01 by dropping its partition/);
    expect(judgeMonthRetired(report([['2026-03', 12]]), { oldest: '2026-01', after: 42 }).message).toMatch(/more than one month went/);
  });

  it('says what is missing before there is anything to judge', () => {
    expect(judgeMonthRetired(report([], false), { oldest: '2026-01', after: 1 }).message).toMatch(/has no messages_monthly/);
    expect(judgeMonthRetired(report([]), { oldest: null, after: 0 }).message).toMatch(/no messages/);
  });
});
