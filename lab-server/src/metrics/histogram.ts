/**
 * Latency histogram with logarithmic buckets: 32 per power of two (each ~2.2 % wide), from 1 µs to ~36 min.
 * Recording is one log2 and one increment, so it can sit on every request; histograms from several
 * processes merge by adding counts, which is how workers and the load generator report percentiles.
 */
const SUB = 32;
const BUCKETS = 32 * SUB;

/** Bucket of a value in microseconds; values below 1 µs share bucket 0. */
function bucketOf(us: number): number {
  if (!(us >= 1)) return 0;
  const b = Math.floor(Math.log2(us) * SUB) + 1;
  return b < BUCKETS ? b : BUCKETS - 1;
}

/** Geometric middle of a bucket, in microseconds: the value reported for anything that fell into it. */
function bucketValue(bucket: number): number {
  if (bucket === 0) return 0.5;
  return 2 ** ((bucket - 0.5) / SUB);
}

export interface Percentiles {
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

/** Sparse wire form: [bucket, count] pairs, plus the exact maximum. */
export interface HistogramData {
  counts: [number, number][];
  max_us: number;
}

export class LatencyHistogram {
  private counts = new Float64Array(BUCKETS);
  private maxUs = 0;
  count = 0;

  recordMs(ms: number): void {
    this.recordUs(ms * 1000);
  }

  recordUs(us: number): void {
    this.counts[bucketOf(us)]!++;
    this.count++;
    if (us > this.maxUs) this.maxUs = us;
  }

  /** The value (µs) at or below which `q` (0..1) of the recorded values fall. */
  quantileUs(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let b = 0; b < BUCKETS; b++) {
      seen += this.counts[b]!;
      if (seen >= rank) return Math.min(bucketValue(b), this.maxUs);
    }
    return this.maxUs;
  }

  /** p50/p90/p95/p99/max in milliseconds (3 decimals), or null when nothing was recorded. */
  percentilesMs(): Percentiles | null {
    if (this.count === 0) return null;
    const ms = (us: number) => Math.round(us) / 1000;
    return {
      p50: ms(this.quantileUs(0.5)),
      p90: ms(this.quantileUs(0.9)),
      p95: ms(this.quantileUs(0.95)),
      p99: ms(this.quantileUs(0.99)),
      max: ms(this.maxUs),
    };
  }

  add(other: LatencyHistogram | HistogramData): void {
    if (other instanceof LatencyHistogram) {
      for (let b = 0; b < BUCKETS; b++) this.counts[b]! += other.counts[b]!;
      this.count += other.count;
      this.maxUs = Math.max(this.maxUs, other.maxUs);
      return;
    }
    for (const [b, n] of other.counts) {
      if (b >= 0 && b < BUCKETS) {
        this.counts[b]! += n;
        this.count += n;
      }
    }
    this.maxUs = Math.max(this.maxUs, other.max_us);
  }

  toData(): HistogramData {
    const counts: [number, number][] = [];
    for (let b = 0; b < BUCKETS; b++) if (this.counts[b]! > 0) counts.push([b, this.counts[b]!]);
    return { counts, max_us: this.maxUs };
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.maxUs = 0;
  }
}
