/**
 * What the exercise API sends, as types only: the server builds these and the browser lab reads them
 * (lab-ui imports this file), so both sides agree by construction.
 */

/** The input an exercise asks for: a shard (picked from the live list) or a number. */
export interface AnswerSpec {
  type: 'shard' | 'number' | 'choice';
  label: string;
  unit?: string;
  /** For `choice`: the answers to pick from. */
  options?: string[];
}

export type PassedHow = 'checked' | 'solved';

export interface ExerciseProgress {
  chapter_id: string;
  exercise_id: string;
  how: PassedHow;
  answer: string | number | null;
  passed_at: string;
}

export interface ExerciseView {
  id: string;
  title: string;
  hint: string;
  input: AnswerSpec | null;
  solve_steps: string[];
  progress: ExerciseProgress | null;
}

export interface StepReport {
  step: string;
  status: 'done' | 'skipped';
  detail: string;
}
