import type pg from 'pg';
import type { ExerciseProgress, PassedHow } from './views.js';

/** Exercise progress in the catalog, so it survives restarts, shard outages and other tabs. */
export class ProgressStore {
  constructor(private readonly catalog: pg.Pool) {}

  async all(): Promise<ExerciseProgress[]> {
    const { rows } = await this.catalog.query<ExerciseProgress>(
      `SELECT chapter_id, exercise_id, how, answer, passed_at FROM exercise_progress ORDER BY passed_at`,
    );
    return rows;
  }

  async forChapter(chapterId: string): Promise<ExerciseProgress[]> {
    const { rows } = await this.catalog.query<ExerciseProgress>(
      `SELECT chapter_id, exercise_id, how, answer, passed_at FROM exercise_progress WHERE chapter_id = $1 ORDER BY passed_at`,
      [chapterId],
    );
    return rows;
  }

  async pass(chapterId: string, exerciseId: string, how: PassedHow, answer: string | number | null): Promise<ExerciseProgress> {
    const { rows } = await this.catalog.query<ExerciseProgress>(
      `INSERT INTO exercise_progress (chapter_id, exercise_id, how, answer) VALUES ($1, $2, $3, $4)
       ON CONFLICT (chapter_id, exercise_id) DO UPDATE SET how = EXCLUDED.how, answer = EXCLUDED.answer, passed_at = now()
       RETURNING chapter_id, exercise_id, how, answer, passed_at`,
      [chapterId, exerciseId, how, answer === null ? null : JSON.stringify(answer)],
    );
    return rows[0]!;
  }
}
