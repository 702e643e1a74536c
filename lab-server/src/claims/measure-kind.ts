import type { z } from 'zod';
import type { ExerciseContext } from '../exercises/context.js';

/**
 * Whether the original's claim holds on this machine: `unsettled` when this measurement cannot decide it
 * (too few users to count, a claim about a scale the lab was not asked to reach), and `why` says which.
 */
export type Verdict = 'holds' | 'fails' | 'unsettled';

export interface Measurement {
  /** What was measured, in a sentence with the numbers. */
  measured: string;
  verdict: Verdict;
  /** The comparison with the claim that gave the verdict. */
  why: string;
}

/**
 * One way of measuring a claim, as a chapter names it (`measure: {kind: distribution, tolerance: 0.05}`). Each
 * kind is one file under `measures/`, listed once in `measures.ts`.
 */
export interface MeasureKind<S extends { kind: string }> {
  readonly kind: S['kind'];
  readonly spec: z.ZodType<S> & z.core.$ZodTypeDiscriminable;
  /** What pressing "Measure it here" runs on the learner's cluster, said before it runs; absent when it only reads. */
  runs?(spec: S): string;
  measure(spec: S, ctx: ExerciseContext): Promise<Measurement>;
}
