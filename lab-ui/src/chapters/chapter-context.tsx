import { createContext, useContext } from 'react';
import type { Chapter, ExerciseView } from '../types';

export interface ChapterContextValue {
  chapter: Chapter;
  /** Re-reads the chapter (exercise progress) from the lab. */
  reload(): void;
  /** Replaces one exercise's view after a check or solve. */
  updateExercise(view: ExerciseView): void;
}

export const ChapterContext = createContext<ChapterContextValue | null>(null);

export function useChapter(): ChapterContextValue {
  const c = useContext(ChapterContext);
  if (!c) throw new Error('useChapter outside a chapter');
  return c;
}
