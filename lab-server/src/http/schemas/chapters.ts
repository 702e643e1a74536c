import { z } from 'zod';
import { StartSpecViewSchema } from './starts.js';
import { ClaimSchema, PathsFileSchema } from '../../chapters/schema.js';

// Reply shapes of /lab/v1/chapters…, following exercises/views.ts and engine.ts.

export const AnswerSpecSchema = z
  .object({ type: z.enum(['shard', 'number', 'choice']), label: z.string(), unit: z.string().optional(), options: z.array(z.string()).optional() })
  .meta({ id: 'AnswerSpec' });

export const ExerciseProgressSchema = z
  .object({
    chapter_id: z.string(),
    exercise_id: z.string(),
    how: z.enum(['checked', 'solved']),
    answer: z.union([z.string(), z.number()]).nullable(),
    passed_at: z.string(),
  })
  .meta({ id: 'ExerciseProgress' });

export const ExerciseViewSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    hint: z.string(),
    input: AnswerSpecSchema.nullable(),
    solve_steps: z.array(z.string()),
    progress: ExerciseProgressSchema.nullable(),
  })
  .meta({ id: 'ExerciseView' });

export const StepReportSchema = z.object({ step: z.string(), status: z.enum(['done', 'skipped']), detail: z.string() }).meta({ id: 'StepReport' });

const LearningPathSchema = PathsFileSchema.shape.paths.element.meta({ id: 'LearningPath' });

/** What the index and the chapter page both say of a chapter. */
const chapterHead = {
  id: z.string(),
  title: z.string(),
  order: z.number(),
  summary: z.string(),
  original: z.string().nullable(),
};

export const ChapterIndexSchema = z
  .object({
    chapters: z.array(
      z
        .object({
          ...chapterHead,
          exercises: z.number(),
          passed: z.number(),
        })
        .meta({ id: 'ChapterSummary' }),
    ),
    paths: z.array(LearningPathSchema),
    upcoming: z.record(z.string(), z.string()).describe('titles of chapters that have no file yet'),
    errors: z.array(z.object({ file: z.string(), message: z.string() })).describe('chapter files that could not be loaded'),
  })
  .meta({ id: 'ChapterIndex' });

export const ChapterSchema = z
  .object({
    ...chapterHead,
    body: z.string().describe('Markdown with directives'),
    claims: z.array(
      ClaimSchema.extend({ runs: z.string().nullable().describe('what measuring runs on the cluster, said before it runs; null when it only reads') }).meta({
        id: 'Claim',
      }),
    ),
    exercises: z.array(ExerciseViewSchema),
    start: StartSpecViewSchema,
    reset_steps: z.array(z.string()),
  })
  .meta({ id: 'Chapter' });

export const MeasurementSchema = z
  .object({
    measured: z.string().describe('what was measured, with the numbers'),
    verdict: z.enum(['holds', 'fails', 'unsettled']).describe("whether the original's claim holds here; unsettled when this measurement cannot decide"),
    why: z.string().describe('the comparison that gave the verdict'),
  })
  .meta({ id: 'Measurement' });

export const CheckReplySchema = z.object({ passed: z.boolean(), message: z.string(), progress: ExerciseProgressSchema.nullable() });

export const SolveReportSchema = z.object({
  passed: z.literal(true),
  message: z.string(),
  answer: z.union([z.string(), z.number()]).nullable(),
  steps: z.array(StepReportSchema),
  progress: ExerciseProgressSchema,
});
