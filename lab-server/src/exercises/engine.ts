import { ConflictError } from '../domain/errors.js';
import { isMissingRoute, type SelfClient } from '../net/self-client.js';
import type { Lab } from '../lab/lab.js';
import { StepFailed } from './action-kind.js';
import { actionRequires, describeAction, runAction, type ActionSpec } from './actions.js';
import { answerSpec, checkRequires, runCheck, type CheckSpec } from './checks.js';
import type { Answer, ExerciseContext } from './context.js';
import { LOADTESTS_API_PROBE, SHARDS_API_PROBE } from './optional-apis.js';
import { ProgressStore } from './progress.js';
import type { ExerciseProgress, ExerciseView, StepReport } from './views.js';

/** How the UI and the tests name an API that a probe found missing. */
const API_NAMES: Record<string, string> = {
  [SHARDS_API_PROBE]: 'the shard API (POST /lab/v1/shards, DELETE /lab/v1/shards/:name)',
  [LOADTESTS_API_PROBE]: 'the load-test API (POST /lab/v1/loadtests)',
};

const apiName = (probe: string): string => API_NAMES[probe] ?? probe;

/** What the engine uses of an exercise; `chapters/schema.ts` defines the file format it is read from. */
export interface Exercise {
  id: string;
  title: string;
  hint: string;
  check: CheckSpec;
  solve: ActionSpec[];
}

/** What the engine uses of a chapter: its exercises and the steps that reset it. */
export interface ExerciseChapter {
  id: string;
  exercises: Exercise[];
  reset: ActionSpec[];
}

export interface SolveReport {
  passed: true;
  message: string;
  answer: Answer | null;
  steps: StepReport[];
  progress: ExerciseProgress;
}

const probes = new WeakMap<Lab, Map<string, Promise<boolean>>>();
const locks = new WeakMap<Lab, Promise<unknown>>();

/**
 * Whether the lab answers `METHOD /path` at all. Only probes that change nothing are used (see
 * optional-apis.ts); the answer is kept for the lab's lifetime because its routes are fixed when it starts.
 */
async function available(ctx: ExerciseContext, probe: string): Promise<boolean> {
  let cache = probes.get(ctx.lab);
  if (!cache) probes.set(ctx.lab, (cache = new Map()));
  let known = cache.get(probe);
  if (!known) {
    const [method, path] = probe.split(' ') as [string, string];
    known = ctx.api.call(method, path, method === 'GET' ? undefined : {}).then((r) => !isMissingRoute(r));
    cache.set(probe, known);
    known.catch(() => cache.delete(probe));
  }
  return known;
}

export async function missingApis(ctx: ExerciseContext, required: string[]): Promise<string[]> {
  const unique = [...new Set(required)];
  const ok = await Promise.all(unique.map((p) => available(ctx, p)));
  return unique.filter((_, i) => !ok[i]).map(apiName);
}

/** The optional APIs the UI asks about, so a page never has to provoke a 404 to find out. */
const OPTIONAL_APIS = [SHARDS_API_PROBE, LOADTESTS_API_PROBE, 'GET /lab/v1/metrics'];

export async function capabilities(ctx: ExerciseContext): Promise<Record<string, boolean>> {
  const ok = await Promise.all(OPTIONAL_APIS.map((p) => available(ctx, p)));
  return Object.fromEntries(OPTIONAL_APIS.map((p, i) => [p, ok[i]!]));
}

function exerciseRequires(e: Exercise): string[] {
  return [...checkRequires(e.check), ...e.solve.flatMap(stepRequires)];
}

const stepRequires = (a: ActionSpec): string[] => [...actionRequires(a), ...(a.unless ? checkRequires(a.unless) : [])];

export async function exerciseViews(ctx: ExerciseContext, chapter: ExerciseChapter, progress: ExerciseProgress[]): Promise<ExerciseView[]> {
  return Promise.all(
    chapter.exercises.map(async (e) => ({
      id: e.id,
      title: e.title,
      hint: e.hint,
      input: answerSpec(e.check),
      solve_steps: e.solve.map(describeAction),
      missing: await missingApis(ctx, exerciseRequires(e)),
      progress: progress.find((p) => p.exercise_id === e.id) ?? null,
    })),
  );
}

/** One solve or reset at a time: two of them rewriting the same shards would undo each other. */
function exclusive<T>(lab: Lab, work: () => Promise<T>): Promise<T> {
  const prev = locks.get(lab) ?? Promise.resolve();
  const next = prev.then(work, work);
  locks.set(
    lab,
    next.catch(() => undefined),
  );
  return next;
}

function store(lab: Lab): ProgressStore {
  return new ProgressStore(lab.cluster.catalog.pool);
}

function announce(lab: Lab, chapterId: string): Promise<void> {
  return store(lab)
    .forChapter(chapterId)
    .then((progress) => lab.events.publish('progress', { chapter_id: chapterId, progress }));
}

/** The learner pressed Check: inspect the cluster; a pass is remembered. */
export async function checkExercise(ctx: ExerciseContext, chapter: ExerciseChapter, e: Exercise, answer: Answer | undefined) {
  const result = await runCheck(ctx, e.check, normalizeAnswer(e, answer));
  if (!result.passed) return { ...result, progress: null };
  const progress = await store(ctx.lab).pass(chapter.id, e.id, 'checked', answer ?? null);
  await announce(ctx.lab, chapter.id);
  return { ...result, progress };
}

/** "Solve it for me": the reference steps, then the same check the learner's work would face. */
export async function solveExercise(ctx: ExerciseContext, chapter: ExerciseChapter, e: Exercise): Promise<SolveReport> {
  const missing = await missingApis(ctx, exerciseRequires(e));
  if (missing.length > 0) {
    throw new ConflictError('not_available', `This exercise needs ${missing.join(' and ')}, which this build does not have.`, { missing });
  }
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

/** "Reset chapter": the chapter's reset steps, and its progress forgotten (the cluster is back at its start). */
export async function resetChapter(ctx: ExerciseContext, chapter: ExerciseChapter): Promise<{ steps: StepReport[] }> {
  return exclusive(ctx.lab, async () => {
    const steps: StepReport[] = [];
    try {
      for (const step of chapter.reset) steps.push((await runAction(ctx, step, null)).report);
    } catch (err) {
      throw stepError('reset_failed', err, steps);
    }
    await store(ctx.lab).clearChapter(chapter.id);
    await announce(ctx.lab, chapter.id);
    return { steps };
  });
}

export function progressOf(lab: Lab): Promise<ExerciseProgress[]> {
  return store(lab).all();
}

export function progressOfChapter(lab: Lab, chapterId: string): Promise<ExerciseProgress[]> {
  return store(lab).forChapter(chapterId);
}

export function exerciseContext(lab: Lab, api: SelfClient): ExerciseContext {
  return { lab, api };
}

/** Numbers typed into a text box arrive as strings; a number question gets a number. */
function normalizeAnswer(e: Exercise, answer: Answer | undefined): Answer | undefined {
  if (answer === undefined || answerSpec(e.check)?.type !== 'number' || typeof answer === 'number') return answer;
  const n = Number(String(answer).replace('%', '').replace(',', '.').trim());
  return Number.isFinite(n) ? n : answer;
}

/** A step that failed for a reason the learner can act on becomes a conflict listing the steps done so far. */
function stepError(code: string, err: unknown, steps: StepReport[]): unknown {
  if (!(err instanceof StepFailed)) return err;
  return new ConflictError(code, `Step ${steps.length + 1} failed: ${err.message}`, { steps });
}
