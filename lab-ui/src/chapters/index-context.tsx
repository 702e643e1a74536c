import { createContext, useContext } from 'react';
import type { ChapterIndex } from '../types';

export interface IndexContextValue {
  index: ChapterIndex | null;
  reload(): void;
}

export const IndexContext = createContext<IndexContextValue>({ index: null, reload: () => undefined });

export const useChapterIndex = (): IndexContextValue => useContext(IndexContext);

export const chapterHref = (id: string): string => `#/chapters/${id}`;
