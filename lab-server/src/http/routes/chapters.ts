import type { Request } from 'express';
import { z } from 'zod';
import { strictBody } from '../../messenger/schema-parts.js';
import type { ApiRouter, ResponseSpec } from '../api-router.js';
import { notFound } from '../errors.js';
import { SelfClient } from '../../net/self-client.js';
import type { ExerciseLab } from '../../exercises/context.js';
import { describeAction } from '../../exercises/actions.js';
import {
  checkExercise,
  exerciseContext,
  exerciseViews,
  progressOf,
  progressOfChapter,
  resetChapter,
  resetSteps,
  solveExercise,
} from '../../exercises/engine.js';
import { loadChapters, type Chapter } from '../../chapters/loader.js';
import { measureClaim, measureRuns } from '../../claims/measures.js';
import {
  ChapterIndexSchema,
  ChapterSchema,
  CheckReplySchema,
  MeasurementSchema,
  ExerciseProgressSchema,
  SolveReportSchema,
  StepReportSchema,
} from '../schemas/chapters.js';
import { StartStateSchema } from '../schemas/starts.js';

const CheckBody = strictBody({ answer: z.union([z.string().max(200), z.number()], { error: 'answer must be a string or a number' }).optional() });

const ChapterParams = z.object({ id: z.string().describe('a chapter id, e.g. sharding') });
const ClaimParams = ChapterParams.extend({ claim: z.string().describe('a claim id within the chapter') });
const ExerciseParams = ChapterParams.extend({ exercise: z.string().describe('an exercise id within the chapter') });

/**
 * Chapters and their exercises (`/lab/v1/chapters…`, `/lab/v1/progress`). Chapter files are read per
 * request, so editing one shows on the next page load.
 */
export function chapterRoutes(api: ApiRouter, lab: ExerciseLab, dir: string): void {
  const tag = 'lab: chapters';
  const noChapter = { description: 'no such chapter' };
  const noExercise = { description: 'no such chapter or exercise' };
  const ctx = (req: Request) => exerciseContext(lab, SelfClient.from(req, lab.config.token));

  async function chapter(id: string): Promise<Chapter> {
    const lib = await loadChapters(dir);
    const found = lib.chapters.find((c) => c.id === id);
    if (!found) throw notFound(`No chapter '${id}'.`, { chapters: lib.chapters.map((c) => c.id) });
    return found;
  }

  async function exercise(chapterId: string, exerciseId: string) {
    const c = await chapter(chapterId);
    const e = c.exercises.find((x) => x.id === exerciseId);
    if (!e) throw notFound(`Chapter '${chapterId}' has no exercise '${exerciseId}'.`, { exercises: c.exercises.map((x) => x.id) });
    return { c, e };
  }

  api.add(
    {
      method: 'get',
      path: '/chapters',
      tag,
      summary: 'Every chapter with its progress, the learning paths, and chapter files that failed to load',
      responses: { 200: { description: 'the index', schema: ChapterIndexSchema } },
    },
    async ({ res }) => {
      const [lib, progress] = await Promise.all([loadChapters(dir), progressOf(lab)]);
      res.json({
        chapters: lib.chapters.map((c) => ({
          id: c.id,
          title: c.title,
          order: c.order,
          summary: c.summary,
          original: c.original ?? null,
          exercises: c.exercises.length,
          passed: progress.filter((p) => p.chapter_id === c.id && c.exercises.some((e) => e.id === p.exercise_id)).length,
        })),
        paths: lib.paths,
        upcoming: lib.upcoming,
        errors: lib.errors,
      });
    },
  );

  /** A GET of something of one chapter: its id in the path, 404 when there is no such chapter. */
  function chapterGet(path: string, summary: string, reply: ResponseSpec, answer: (c: Chapter) => Promise<unknown>): void {
    api.add({ method: 'get', path, tag, summary, params: ChapterParams, responses: { 200: reply, 404: noChapter } }, async ({ res, params }) => {
      res.json(await answer(await chapter(params.id)));
    });
  }

  chapterGet(
    '/chapters/:id',
    'One chapter: its Markdown, claims, exercises with progress, and reset steps',
    { description: 'the chapter', schema: ChapterSchema },
    async (c) => {
      const progress = await progressOfChapter(lab, c.id);
      return {
        id: c.id,
        title: c.title,
        order: c.order,
        summary: c.summary,
        original: c.original ?? null,
        body: c.body,
        claims: (c.claims ?? []).map((claim) => ({ ...claim, runs: measureRuns(claim.measure) })),
        exercises: exerciseViews(c, progress),
        start: c.start,
        reset_steps: resetSteps(c).map(describeAction),
      };
    },
  );

  api.add(
    {
      method: 'post',
      path: '/chapters/:id/claims/:claim/measure',
      tag,
      summary: "Measure one of the original's claims on the live cluster now, with a verdict",
      description:
        "Read-only measurements answer at once; one that runs something (a seed, a load test) says so in the chapter's `runs` and answers when it has finished (its progress shows on the jobs and load-test channels).",
      params: ClaimParams,
      responses: {
        200: { description: 'what was measured and whether the claim holds', schema: MeasurementSchema },
        404: { description: 'no such chapter or claim' },
        409: { description: 'measure_failed: a step of the measurement did not finish (the load test was stopped, the seed failed)' },
      },
    },
    async ({ req, res, params }) => {
      const c = await chapter(params.id);
      const claim = (c.claims ?? []).find((x) => x.id === params.claim);
      if (!claim) throw notFound(`Chapter '${params.id}' has no claim '${params.claim}'.`, { claims: (c.claims ?? []).map((x) => x.id) });
      res.json(await measureClaim(ctx(req), claim.measure));
    },
  );

  api.add(
    {
      method: 'post',
      path: '/chapters/:id/exercises/:exercise/check',
      tag,
      summary: 'Check an exercise against the real cluster: pass, or a specific hint',
      params: ExerciseParams,
      body: CheckBody,
      bodyOptional: true,
      bodyName: 'check',
      responses: {
        200: { description: 'the verdict', schema: CheckReplySchema },
        400: { description: 'invalid_answer: a number question got no number, one out of its range, or one that reads two ways (1,000)' },
        404: noExercise,
      },
    },
    async ({ req, res, params, body: { answer } }) => {
      const { c, e } = await exercise(params.id, params.exercise);
      res.json(await checkExercise(ctx(req), c, e, answer));
    },
  );

  api.add(
    {
      method: 'post',
      path: '/chapters/:id/exercises/:exercise/solve',
      tag,
      summary: '"Solve it for me": run the reference steps, then the check',
      params: ExerciseParams,
      responses: {
        200: { description: 'the steps and the passing check', schema: SolveReportSchema },
        404: noExercise,
        409: { description: 'solve_failed: a reference step failed' },
      },
    },
    async ({ req, res, params }) => {
      const { c, e } = await exercise(params.id, params.exercise);
      res.json(await solveExercise(ctx(req), c, e));
    },
  );

  chapterGet(
    '/chapters/:id/start',
    'Whether the cluster is at the chapter\'s start, and if not what differs: what "Reset chapter" would change',
    { description: 'the cluster against the start', schema: StartStateSchema },
    async (c) => {
      const state = await lab.starts.state(c.start);
      return { chapter: c.id, start: c.start, at_start: state.differences.length === 0, ...state, reset_steps: resetSteps(c).map(describeAction) };
    },
  );

  api.add(
    {
      method: 'post',
      path: '/chapters/:id/reset',
      tag,
      summary: "Return the cluster to the chapter's start: its own clean-up, then its data cloned from the start's snapshot (progress stays)",
      params: ChapterParams,
      responses: { 200: { description: 'the steps run', schema: z.object({ steps: z.array(StepReportSchema) }) }, 404: noChapter },
    },
    async ({ req, res, params }) => {
      const c = await chapter(params.id);
      res.json(await resetChapter(ctx(req), c));
    },
  );

  api.add(
    {
      method: 'get',
      path: '/progress',
      tag,
      summary: 'Every exercise passed, and how',
      responses: { 200: { description: 'the progress', schema: z.object({ progress: z.array(ExerciseProgressSchema) }) } },
    },
    async ({ res }) => {
      res.json({ progress: await progressOf(lab) });
    },
  );
}
