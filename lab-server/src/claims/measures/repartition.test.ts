import { describe, expect, it } from 'vitest';
import { judgeRepartition, repartition } from './repartition.js';

const shards = (rows: number, ms: number) => [
  { shard_name: 'shard-0', rows_copied: rows, ms, blocked_ms: 3 },
  { shard_name: 'shard-1', rows_copied: rows, ms: ms / 2, blocked_ms: 7 },
];

describe('repartition', () => {
  const spec = repartition.spec.parse({ kind: 'repartition', partitions: 16, users: 100_000, claimed_rows: 6_870_006, claimed_seconds: 38.6 });

  it('says what it will load and rebuild before it runs', () => {
    expect(repartition.runs?.(spec)).toBe(
      'Loads generated users until the shards hold 100,000, then rebuilds users on every shard with 16 hash partitions, online.',
    );
  });

  it('compares rows per second over the slowest shard with the claimed rate', () => {
    // 200,000 rows in 1 s against 177,979 rows/s claimed.
    expect(judgeRepartition(spec, { shards: shards(100_000, 1000) })).toEqual({
      measured: 'Copied 200,000 users into 16 partitions on each of 2 shards in 1.00 s (200,000 rows/s), online; writes waited at most 7 ms.',
      verdict: 'holds',
      why: 'The original: 6,870,006 rows in 38.6 s, 177,979 rows/s; here 1.12× that rate.',
    });
    const slow = judgeRepartition(spec, { shards: shards(50_000, 2000) });
    expect(slow.verdict).toBe('unsettled');
    expect(slow.why).toMatch(/^The original: 6,870,006 rows in 38.6 s, 177,979 rows\/s; here 0\.28× that rate, so its 6,870,006 rows would take about 137 s/);
  });

  it('cannot decide without rows, and refuses a misspelt spec', () => {
    expect(judgeRepartition(spec, { shards: shards(0, 10) }).verdict).toBe('unsettled');
    expect(() => repartition.spec.parse({ kind: 'repartition', partitions: 16, users: 1, claimed_rows: 1, claimed_second: 1 })).toThrow(/unknown field/);
  });
});
