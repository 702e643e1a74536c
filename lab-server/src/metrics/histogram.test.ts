import { expect, it } from 'vitest';
import { LatencyHistogram } from './histogram.js';

it('reports percentiles within the bucket width (~2.2 %) of the exact values', () => {
  const h = new LatencyHistogram();
  const values = Array.from({ length: 10_000 }, (_, i) => 0.1 + i * 0.01); // 0.1 .. 100 ms
  for (const v of values) h.recordMs(v);
  const exact = (q: number) => values[Math.ceil(q * values.length) - 1]!;
  const p = h.percentilesMs()!;
  for (const [q, got] of [
    [0.5, p.p50],
    [0.9, p.p90],
    [0.95, p.p95],
    [0.99, p.p99],
  ] as const) {
    expect(Math.abs(got - exact(q)) / exact(q)).toBeLessThan(0.015);
  }
  expect(p.max).toBeCloseTo(100.09, 2);
});

it('merges histograms from other processes by adding counts', () => {
  const a = new LatencyHistogram();
  const b = new LatencyHistogram();
  for (let i = 0; i < 900; i++) a.recordMs(1);
  for (let i = 0; i < 100; i++) b.recordMs(50);
  const merged = new LatencyHistogram();
  merged.add(a.toData());
  merged.add(JSON.parse(JSON.stringify(b.toData())));
  expect(merged.count).toBe(1000);
  expect(merged.percentilesMs()!.p50).toBeCloseTo(1, 1);
  expect(merged.percentilesMs()!.p95).toBeGreaterThan(48);
  expect(merged.percentilesMs()!.max).toBe(50);
  expect(new LatencyHistogram().percentilesMs()).toBeNull();
});
