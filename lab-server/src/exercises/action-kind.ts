import { z } from 'zod';
import { CheckSpecSchema, type CheckSpec } from './checks.js';
import type { Answer, ExerciseContext } from './context.js';

/** What a step did, in a sentence; an `answer` step also hands over the answer it measured. */
export interface StepDone {
  detail: string;
  answer?: Answer | null;
}

/**
 * One kind of solve or reset step, as a chapter names it (`- do: seed`). Each kind is one file under
 * `actions/`, listed once in `actions.ts`; nothing else names it.
 */
export interface ActionKind<S extends { do: string }> {
  readonly do: S['do'];
  /** The step as chapter files write it: build it with `stepSchema`, which adds `unless`. */
  readonly spec: z.ZodType<S> & z.core.$ZodTypeDiscriminable;
  /** What the UI lists under "Solve it for me" and the report repeats: plain words and the API call. */
  describe(step: S): string;
  /** `solving` is the check of the exercise being solved; null while a chapter resets. */
  run(step: S, ctx: ExerciseContext, solving: CheckSpec | null): Promise<StepDone>;
}

/**
 * A step's schema: strict, so a misspelt parameter fails when the chapter loads, and with the `unless` every
 * step may have (the step is skipped when that check already passes).
 */
export const stepSchema = <D extends string, P extends z.ZodRawShape>(name: D, params: P) =>
  z.strictObject({ do: z.literal(name), ...params, unless: CheckSpecSchema.optional() });

/** A step that could not run; the message says which shard or API, and what to do next. */
export class StepFailed extends Error {}
