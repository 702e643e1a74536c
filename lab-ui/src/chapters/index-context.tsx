import { createContext, useContext } from 'react';
import type { ChapterIndex } from '../types';

export interface IndexContextValue {
  index: ChapterIndex | null;
  reload(): void;
}

export const IndexContext = createContext<IndexContextValue>({ index: null, reload: () => undefined });

export const useChapterIndex = (): IndexContextValue => useContext(IndexContext);

export const chapterHref = (id: string): string => `#/chapters/${id}`;

/** A section of a chapter (the slug of its heading): `#/chapters/<id>/<section>`. */
export const sectionHref = (id: string, section: string): string => `#/chapters/${id}/${section}`;

/** The section a chapter address names, if any. */
export const sectionOf = (hash: string): string | null => /^#\/chapters\/[a-z0-9-]+\/([a-z0-9-]+)/.exec(hash)?.[1] ?? null;

/** The words of every chapter, explained once: the Architecture chapter's glossary, linked from each chapter. */
export const GLOSSARY_HREF = sectionHref('architecture', 'glossary');
