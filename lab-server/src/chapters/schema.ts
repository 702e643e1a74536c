import { z } from 'zod';
import { MeasureSpecSchema } from '../claims/measures.js';
import { ActionSpecSchema } from '../exercises/actions.js';
import { CheckSpecSchema } from '../exercises/checks.js';
import { StartSpecSchema } from '../starts/starts.js';

const slug = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'use lower-case letters, digits and dashes');
const strict = <T extends z.ZodRawShape>(shape: T) =>
  z.strictObject(shape, { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field(s): ${iss.keys.join(', ')}` : undefined) });

export const ExerciseSchema = strict({
  id: slug,
  title: z.string().min(1),
  /** Shown by the Hint button: a nudge, not the answer. */
  hint: z.string().min(1),
  check: CheckSpecSchema,
  /** The reference steps "Solve it for me" runs; the tests run them too, so every exercise is proven solvable. */
  solve: z.array(ActionSpecSchema).min(1),
});
export type Exercise = z.infer<typeof ExerciseSchema>;

/** A claim of the original project's docs, with how the lab measures the same thing here. */
export const ClaimSchema = strict({
  id: slug,
  claim: z.string().min(1),
  source: z.string().min(1),
  claimed: z.string().min(1),
  /** How the lab measures the same thing here, and what the claim says in numbers (`claims/measures/`). */
  measure: MeasureSpecSchema,
  note: z.string().optional(),
});
export type Claim = z.infer<typeof ClaimSchema>;

export const FrontMatterSchema = strict({
  id: slug,
  title: z.string().min(1),
  /** Position in the chapter list. */
  order: z.number().int(),
  summary: z.string().min(1),
  /** The original project's document this chapter teaches. */
  original: z.string().optional(),
  /** The data the chapter starts from, on the configured shards with every migration applied (restored from a snapshot). */
  start: StartSpecSchema.prefault({}),
  /** The chapter's own clean-up ("Reset chapter"), before its start is restored: drills dropped, knobs put back. */
  reset: z.array(ActionSpecSchema).default([]),
  exercises: z.array(ExerciseSchema).default([]),
  claims: z.array(ClaimSchema).optional(),
});
export type FrontMatter = z.infer<typeof FrontMatterSchema>;

export const PathsFileSchema = strict({
  paths: z.array(
    strict({
      id: slug,
      title: z.string().min(1),
      description: z.string().min(1),
      chapters: z.array(slug).min(1),
    }),
  ),
  /** Titles of chapters that have no file yet, so the paths can name them. */
  upcoming: z.record(slug, z.string()).default({}),
});
export type PathsFile = z.infer<typeof PathsFileSchema>;
