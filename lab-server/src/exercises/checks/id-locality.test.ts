import { describe, expect, it } from 'vitest';
import type { LocalityReport } from '../../ids/insert-locality.js';
import { idLocality, judgeIdLocality } from './id-locality.js';

const report: LocalityReport = {
  shard: 'shard-0',
  rows: 20_000,
  batch: 1_000,
  runs: [
    { kind: 'uuidv4', rows: 20_000, index_pages: 110, index_bytes: 110 * 8192, rows_per_page: 181.8, insert_ms: 900, rows_per_s: 22_222 },
    { kind: 'uuidv7', rows: 20_000, index_pages: 80, index_bytes: 80 * 8192, rows_per_page: 250, insert_ms: 700, rows_per_s: 28_571 },
  ],
  v4_extra_pages_percent: 37.5,
  v7_rate_ratio: 1.29,
};
const spec = idLocality.spec.parse({ kind: 'id-locality', rows: 20_000, within: 5 });

describe('id-locality check', () => {
  it('asks for a prediction, and shows the measurement it was judged against', () => {
    expect(judgeIdLocality(spec, undefined, report).message).toBe(
      'Enter your prediction first (a percentage). Measured: 20,000 random ids took 110 index pages (181.8 rows a page), as many UUIDv7 ids 80 (250 a page): 37.5 % more.',
    );
  });

  it('passes a prediction within the margin, fails one outside it', () => {
    expect(judgeIdLocality(spec, 40, report)).toMatchObject({ passed: true });
    expect(judgeIdLocality(spec, 32.5, report)).toMatchObject({ passed: true });
    expect(judgeIdLocality(spec, 30, report).message).toMatch(/^Not 30 % \(within 5 points counts\)\. 20,000 random ids/);
    expect(judgeIdLocality(spec, 0, report).passed).toBe(false);
  });
});
