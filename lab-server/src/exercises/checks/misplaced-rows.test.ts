import { describe, expect, it } from 'vitest';
import type { ShardPlacement } from '../../placement/audit.js';
import { judgeMisplacedRows, misplacedRows } from './misplaced-rows.js';

const shard = (shard_name: string, rows: number, misplaced: number, reachable = true): ShardPlacement => ({
  shard_name,
  in_ring: true,
  reachable,
  tables: [],
  rows,
  misplaced,
  sample: [],
});
const report = (...shards: ShardPlacement[]) => ({
  shards,
  total_rows: shards.reduce((a, s) => a + s.rows, 0),
  total_misplaced: shards.reduce((a, s) => a + s.misplaced, 0),
});

describe('misplaced-rows check', () => {
  it('reads equals and at_least, and refuses anything else', () => {
    expect(misplacedRows.spec.parse({ kind: 'misplaced-rows', at_least: 1 })).toEqual({ kind: 'misplaced-rows', at_least: 1 });
    expect(misplacedRows.spec.safeParse({ kind: 'misplaced-rows', equals: -1 }).success).toBe(false);
    expect(misplacedRows.spec.safeParse({ kind: 'misplaced-rows', at_most: 1 }).success).toBe(false);
  });

  it('passes with no orphans, counting the rows audited', () => {
    expect(judgeMisplacedRows({ kind: 'misplaced-rows', equals: 0 }, report(shard('shard-0', 12000, 0), shard('shard-1', 8000, 0)))).toEqual({
      passed: true,
      message: 'Every one of 20,000 rows lives on the shard the ring sends its key to.',
    });
  });

  it('passes with orphans when the step wants them, saying where they are', () => {
    const r = judgeMisplacedRows({ kind: 'misplaced-rows', at_least: 1 }, report(shard('shard-0', 4000, 0), shard('shard-1', 4000, 1234)));
    expect(r).toEqual({ passed: true, message: '1,234 of 8,000 rows are orphans: the ring sends their keys elsewhere (shard-1: 1,234).' });
  });

  it('asks for a rebalance when orphans remain, and for a faithful add when there are none', () => {
    const left = judgeMisplacedRows({ kind: 'misplaced-rows', equals: 0 }, report(shard('shard-0', 10, 3), shard('shard-2', 10, 4)));
    expect(left.passed).toBe(false);
    expect(left.message).toBe(
      '7 rows still sit on a shard the ring does not send their key to (shard-0: 3, shard-2: 4). Move them: undo the faithful add and add the shard again with rebalancing.',
    );
    const none = judgeMisplacedRows({ kind: 'misplaced-rows', at_least: 1 }, report(shard('shard-0', 10, 0)));
    expect(none.passed).toBe(false);
    expect(none.message).toMatch(/^0 rows are misplaced; this step expects at least 1\. .*faithful mode\.$/);
    expect(judgeMisplacedRows({ kind: 'misplaced-rows', equals: 5 }, report(shard('shard-0', 10, 2))).message).toBe(
      '2 rows are misplaced; this step expects 5.',
    );
  });

  it('fails when a shard cannot be audited, naming it', () => {
    const r = judgeMisplacedRows({ kind: 'misplaced-rows', equals: 0 }, report(shard('shard-0', 0, 0), shard('shard-3', 0, 0, false)));
    expect(r).toEqual({ passed: false, message: 'shard-3 did not answer, so its rows cannot be audited. Start it again first.' });
  });
});
