import { ConflictError, InvalidInputError } from '../domain/errors.js';
import type { SelfClient } from '../net/self-client.js';
import type { StartSpec } from '../starts/starts.js';
import { readTypedNumber } from '../values/typed-number.js';
import type { ExerciseLab } from './context.js';
import { StepFailed } from './action-kind.js';
import { describeAction, runAction, type ActionSpec } from './actions.js';
import { answerSpec, runCheck, type CheckSpec } from './checks.js';
import type { Answer, ExerciseContext } from './context.js';
import { ProgressStore } from './progress.js';
import type { ExerciseProgress, ExerciseView, StepReport } from './views.js';

/** What the engine uses of an exercise; `chapters/schema.ts` defines the file format it is read from. */
export interface Exercise {
  id: string;
  title: string;
  hint: string;
  check: CheckSpec;
  solve: ActionSpec[];
}

/** What the engine uses of a chapter: its exercises, its own clean-up steps and the start a reset restores. */
export interface ExerciseChapter {
  id: string;
  exercises: Exercise[];
  reset: ActionSpec[];
  start: StartSpec;
}

export interface SolveReport {
  passed: true;
  message: string;
  answer: Answer | null;
  steps: StepReport[];
  progress: ExerciseProgress;
}

const locks = new WeakMap<ExerciseLab, Promise<unknown>>();

export function exerciseViews(chapter: ExerciseChapter, progress: ExerciseProgress[]): ExerciseView[] {
  return chapter.exercises.map((e) => ({
    id: e.id,
    title: e.title,
    hint: e.hint,
    input: answerSpec(e.check),
    solve_steps: e.solve.map(describeAction),
    progress: progress.find((p) => p.exercise_id === e.id) ?? null,
  }));
}

/** One solve or reset at a time: two of them rewriting the same shards would undo each other. */
function exclusive<T>(lab: ExerciseLab, work: () => Promise<T>): Promise<T> {
  const prev = locks.get(lab) ?? Promise.resolve();
  const next = prev.then(work, work);
  locks.set(
    lab,
    next.catch(() => undefined),
  );
  return next;
}

function store(lab: ExerciseLab): ProgressStore {
  return new ProgressStore(lab.cluster.catalog.pool);
}

function announce(lab: ExerciseLab, chapterId: string): Promise<void> {
  return store(lab)
    .forChapter(chapterId)
    .then((progress) => lab.events.publish('progress', { chapter_id: chapterId, progress }));
}

/** The learner pressed Check: inspect the cluster; a pass is remembered. */
export async function checkExercise(ctx: ExerciseContext, chapter: ExerciseChapter, e: Exercise, answer: Answer | undefined) {
  const given = normalizeAnswer(e, answer);
  const result = await runCheck(ctx, e.check, given);
  if (!result.passed) return { ...result, progress: null };
  const progress = await store(ctx.lab).pass(chapter.id, e.id, 'checked', given ?? null);
  await announce(ctx.lab, chapter.id);
  return { ...result, progress };
}

/** "Solve it for me": the reference steps, then the same check the learner's work would face. */
export async function solveExercise(ctx: ExerciseContext, chapter: ExerciseChapter, e: Exercise): Promise<SolveReport> {
  return exclusive(ctx.lab, async () => {
    const steps: StepReport[] = [];
    let answer: Answer | null = null;
    try {
      for (const step of e.solve) {
        const done = await runAction(ctx, step, e.check);
        steps.push(done.report);
        if (done.answer !== undefined) answer = done.answer;
      }
    } catch (err) {
      throw stepError('solve_failed', err, steps);
    }
    const result = await runCheck(ctx, e.check, answer ?? undefined);
    if (!result.passed) {
      throw new ConflictError('solve_failed', `The reference steps ran, but the check still fails: ${result.message}`, { steps });
    }
    const progress = await store(ctx.lab).pass(chapter.id, e.id, 'solved', answer);
    await announce(ctx.lab, chapter.id);
    return { passed: true, message: result.message, answer, steps, progress };
  });
}

/** Every step of a reset: the chapter's own clean-up, then its start restored. */
export function resetSteps(chapter: ExerciseChapter): ActionSpec[] {
  return [...chapter.reset, { do: 'restore-start', ...chapter.start }];
}

/**
 * "Reset chapter": the cluster back at the chapter's start. The learner's progress stays: what they solved,
 * they solved; the exercises check the state they make from here.
 */
export async function resetChapter(ctx: ExerciseContext, chapter: ExerciseChapter): Promise<{ steps: StepReport[] }> {
  return exclusive(ctx.lab, async () => {
    const steps: StepReport[] = [];
    try {
      for (const step of resetSteps(chapter)) steps.push((await runAction(ctx, step, null)).report);
    } catch (err) {
      throw stepError('reset_failed', err, steps);
    }
    await announce(ctx.lab, chapter.id);
    return { steps };
  });
}

export function progressOf(lab: ExerciseLab): Promise<ExerciseProgress[]> {
  return store(lab).all();
}

export function progressOfChapter(lab: ExerciseLab, chapterId: string): Promise<ExerciseProgress[]> {
  return store(lab).forChapter(chapterId);
}

export function exerciseContext(lab: ExerciseLab, api: SelfClient): ExerciseContext {
  return { lab, api };
}

/**
 * Numbers typed into a text box arrive as strings, in the learner's own convention (`22,69`, `1.000`); a number
 * question gets a number, read within the range its unit allows, or a 400 that says how to write it.
 */
function normalizeAnswer(e: Exercise, answer: Answer | undefined): Answer | undefined {
  const spec = answerSpec(e.check);
  if (answer === undefined || spec?.type !== 'number' || typeof answer === 'number') return answer;
  const read = readTypedNumber(String(answer), spec.unit === '%' ? PERCENT : undefined);
  if (!read.ok) throw new InvalidInputError('invalid_answer', read.reason, { field: 'answer' });
  return read.value;
}

const PERCENT = { min: 0, max: 100 };

/** A step that failed for a reason the learner can act on becomes a conflict listing the steps done so far. */
function stepError(code: string, err: unknown, steps: StepReport[]): unknown {
  if (!(err instanceof StepFailed)) return err;
  return new ConflictError(code, `Step ${steps.length + 1} failed: ${err.message}`, { steps });
}
