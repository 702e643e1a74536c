import type { HashRange } from '../sharding/write-gate.js';

/** Hash ranges as two parallel arrays, the form `unnest($1::bigint[], $2::bigint[])` takes. */
export const rangeArrays = (ranges: readonly HashRange[]): [number[], number[]] => [ranges.map((r) => r.start), ranges.map((r) => r.end)];

/** A publication row filter selecting the ranges (PostgreSQL allows only simple expressions there). */
export const rangeFilter = (ranges: readonly HashRange[]): string =>
  ranges.map((r) => `(ring_hash BETWEEN ${Math.trunc(r.start)} AND ${Math.trunc(r.end)})`).join(' OR ');
