import { describe, expect, it } from 'vitest';
import type { PagingReport, PagingSide } from '../../contracts/paging.js';
import { judgeOffsetRows, offsetRows } from './offset-rows.js';

const side = (way: PagingSide['way'], sent: number[]): PagingSide => ({
  way,
  sql: '',
  total_ms: 1,
  merge_ms: 0.1,
  rows_sent: sent.reduce((a, b) => a + b, 0),
  rows_read: sent.reduce((a, b) => a + b, 0),
  shards: sent.map((n, i) => ({ shard: `shard-${i}`, ms: 1, rows_sent: n, rows_read: n, buffers: 3 })),
  plan: '',
});
const report: PagingReport = {
  users: 1000,
  limit: 20,
  pages: [
    { page: 1, offset: side('offset', [20, 20]), keyset: side('keyset', [21, 21]) },
    { page: 5, offset: side('offset', [100, 100]), keyset: side('keyset', [21, 21]) },
  ],
  deep_ms_ratio: 2,
  deep_read_ratio: 4.76,
};
const spec = offsetRows.spec.parse({ kind: 'offset-rows', page: 5, limit: 20 });

describe('offset-rows check', () => {
  it('passes the measured total and explains a wrong one', () => {
    expect(judgeOffsetRows(spec, 200, report)).toMatchObject({ passed: true, message: expect.stringMatching(/send 100 \+ 100 = 200 rows/) });
    expect(judgeOffsetRows(spec, 20, report)).toMatchObject({ passed: false, message: expect.stringMatching(/offset \+ limit rows/) });
    expect(judgeOffsetRows(spec, undefined, report).passed).toBe(false);
  });

  it('asks for users when the shards cannot fill the page', () => {
    expect(judgeOffsetRows(spec, 200, 'Page 5 of 20 needs at least 100 users; the shards hold 3.').message).toMatch(/Seed button/);
  });
});
