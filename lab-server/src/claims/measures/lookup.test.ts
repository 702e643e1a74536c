import { describe, expect, it } from 'vitest';
import { judgeLookup, lookup } from './lookup.js';

const touch = (scanned: string[], execution_ms: number) => ({ scanned, partitions_total: 8, execution_ms });

describe('lookup', () => {
  const spec = lookup.spec.parse({ kind: 'lookup', claimed_ms: 0.082 });

  it('only reads: nothing to announce before it runs', () => {
    expect(lookup.runs).toBeUndefined();
    expect(spec).toMatchObject({ shard: 'shard-0', claimed_partitions: 1, repeats: 5 });
  });

  it('holds on one partition at or under the claimed time, taking the median of the runs', () => {
    const m = judgeLookup(spec, [touch(['users_p3'], 0.05), touch(['users_p3'], 9), touch(['users_p3'], 0.04)]);
    expect(m).toEqual({
      measured: 'A lookup by id on shard-0 read 1 of 8 partitions (users_p3); execution 0.050 ms, the median of 3 EXPLAIN ANALYZE runs.',
      verdict: 'holds',
      why: '1 partition read, as claimed, in 0.050 ms against the claimed 0.082 ms (0.61×).',
    });
  });

  it('is unsettled when only the time is slower, and fails when more partitions are read', () => {
    expect(judgeLookup(spec, [touch(['users_p3'], 0.164)])).toMatchObject({ verdict: 'unsettled', why: expect.stringContaining('2.00× the claimed 0.082 ms') });
    expect(judgeLookup(spec, [touch(['users_p3', 'users_p4'], 0.01)])).toMatchObject({ verdict: 'fails' });
  });
});
