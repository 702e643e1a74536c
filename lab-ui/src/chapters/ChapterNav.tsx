import { useId, useState } from 'react';
import type { ChapterIndex } from '../types';
import { chapterHref } from './index-context';

const ALL = 'all';

/** The chapter list, in order or along one of the original's learning paths, with progress per chapter. */
export function ChapterNav({ index, current }: { index: ChapterIndex | null; current: string }) {
  const [path, setPath] = useState(ALL);
  const selectId = useId();
  if (!index) return <p className="muted">Loading…</p>;
  const byId = new Map(index.chapters.map((c) => [c.id, c]));
  const chosen = index.paths.find((p) => p.id === path);
  const ids = chosen
    ? ['overview', ...chosen.chapters.filter((c) => c !== 'overview')]
    : [...index.chapters.map((c) => c.id), ...Object.keys(index.upcoming).filter((id) => !byId.has(id))];
  return (
    <>
      <span className="field">
        <label htmlFor={selectId}>Show</label>
        <select id={selectId} value={path} onChange={(e) => setPath(e.target.value)}>
          <option value={ALL}>All chapters</option>
          {index.paths.map((p) => (
            <option key={p.id} value={p.id}>
              Path: {p.title}
            </option>
          ))}
        </select>
      </span>
      {chosen && <p className="muted small">{chosen.description}</p>}
      <ol className="chapter-list">
        {ids.map((id) => {
          const c = byId.get(id);
          if (!c) {
            return (
              <li key={id} className="upcoming">
                <span>{index.upcoming[id] ?? id}</span> <span className="muted small">not written yet</span>
              </li>
            );
          }
          return (
            <li key={id}>
              <a href={chapterHref(id)} aria-current={id === current ? 'page' : undefined} data-chapter-link={id}>
                <span>{c.title}</span>
                {c.exercises > 0 && (
                  <span className={`progress ${c.passed === c.exercises ? 'done' : ''}`} role="img" aria-label={`${c.passed} of ${c.exercises} exercises done`}>
                    {c.passed}/{c.exercises}
                  </span>
                )}
              </a>
            </li>
          );
        })}
      </ol>
      {index.errors.length > 0 && (
        <div className="error" role="alert">
          Some chapter files could not be read:
          <ul>
            {index.errors.map((e) => (
              <li key={e.file}>
                {e.file}: {e.message}
              </li>
            ))}
          </ul>
        </div>
      )}
    </>
  );
}
