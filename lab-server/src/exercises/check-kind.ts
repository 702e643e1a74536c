import type { z } from 'zod';
import type { Answer, ExerciseContext } from './context.js';
import type { AnswerSpec } from './views.js';

export interface CheckResult {
  passed: boolean;
  /** What the lab measured, in a sentence; on failure it names what is missing and what to do next. */
  message: string;
}

/**
 * One kind of check, as a chapter names it (`check: {kind: shard-count, equals: 6}`). Each kind is one file
 * under `checks/`, listed once in `checks.ts`; nothing else names it.
 */
export interface CheckKind<S extends { kind: string }> {
  readonly kind: S['kind'];
  /** The spec as chapter files write it; strict, so a misspelt parameter fails when the chapter loads. */
  readonly spec: z.ZodType<S> & z.core.$ZodTypeDiscriminable;
  /** For a check that asks the learner something: what it asks, and the right answer measured now ("Solve it for me" submits it). */
  readonly question?: {
    input(spec: S): AnswerSpec;
    answer(spec: S, ctx: ExerciseContext): Promise<Answer | null>;
  };
  run(spec: S, ctx: ExerciseContext, answer: Answer | undefined): Promise<CheckResult>;
}

export const pass = (message: string): CheckResult => ({ passed: true, message });
export const fail = (message: string): CheckResult => ({ passed: false, message });
