import { Router as ExpressRouter, type Request } from 'express';
import { z } from 'zod';
import { notFound } from '../http/errors.js';
import { SelfClient } from '../http/self-client.js';
import { jsonBody, parse } from '../http/validation.js';
import type { Lab } from '../lab/lab.js';
import { actionRequires, describeAction } from '../exercises/actions.js';
import {
  capabilities,
  checkExercise,
  exerciseContext,
  exerciseViews,
  missingApis,
  progressOf,
  progressOfChapter,
  resetChapter,
  solveExercise,
} from '../exercises/engine.js';
import { loadChapters, type Chapter } from './loader.js';

const CheckBody = z.strictObject(
  { answer: z.union([z.string().max(200), z.number()], { error: 'answer must be a string or a number' }).optional() },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field(s): ${iss.keys.join(', ')}` : 'the body must be a JSON object') },
);

/**
 * Chapters and their exercises (`/lab/v1/chapters…`, `/lab/v1/progress`). Chapter files are read per
 * request, so editing one shows on the next page load.
 */
export function chapterRoutes(lab: Lab, dir: string): ExpressRouter {
  const r = ExpressRouter();
  const ctx = (req: Request) => exerciseContext(lab, SelfClient.from(req));

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

  r.get('/chapters', async (_req, res) => {
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
  });

  r.get('/chapters/:id', async (req, res) => {
    const c = await chapter(req.params.id);
    const context = ctx(req);
    const progress = await progressOfChapter(lab, c.id);
    res.json({
      id: c.id,
      title: c.title,
      order: c.order,
      summary: c.summary,
      original: c.original ?? null,
      body: c.body,
      claims: c.claims ?? [],
      exercises: await exerciseViews(context, c, progress),
      reset_steps: c.reset.map(describeAction),
      reset_missing: await missingApis(context, c.reset.flatMap(actionRequires)),
    });
  });

  r.post('/chapters/:id/exercises/:exercise/check', async (req, res) => {
    const { c, e } = await exercise(req.params.id, req.params.exercise);
    const { answer } = parse(CheckBody, req.body === undefined || Object.keys(req.body ?? {}).length === 0 ? {} : jsonBody(req), 'check');
    res.json(await checkExercise(ctx(req), c, e, answer));
  });

  r.post('/chapters/:id/exercises/:exercise/solve', async (req, res) => {
    const { c, e } = await exercise(req.params.id, req.params.exercise);
    res.json(await solveExercise(ctx(req), c, e));
  });

  r.post('/chapters/:id/reset', async (req, res) => {
    const c = await chapter(req.params.id);
    res.json(await resetChapter(ctx(req), c));
  });

  r.get('/capabilities', async (req, res) => {
    res.json({ apis: await capabilities(ctx(req)) });
  });

  r.get('/progress', async (_req, res) => {
    res.json({ progress: await progressOf(lab) });
  });

  return r;
}
