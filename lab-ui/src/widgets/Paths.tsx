import { chapterHref, useChapterIndex } from '../chapters/index-context';
import { Panel } from './common';

/** The original's four reading orders, linked to the chapters that exist. */
export function Paths() {
  const { index } = useChapterIndex();
  if (!index) return <Panel title="Learning paths">Loading…</Panel>;
  const written = new Map(index.chapters.map((c) => [c.id, c]));
  return (
    <Panel title="Learning paths" className="paths">
      <div className="path-grid">
        {index.paths.map((p) => (
          <section key={p.id} className="path" aria-label={p.title}>
            <h4>{p.title}</h4>
            <p className="muted small">{p.description}</p>
            <ol>
              {p.chapters.map((id) => {
                const c = written.get(id);
                return (
                  <li key={id}>
                    {c ? (
                      <a href={chapterHref(id)}>{c.title}</a>
                    ) : (
                      <span className="muted">
                        {index.upcoming[id] ?? id} <em>(not written yet)</em>
                      </span>
                    )}
                  </li>
                );
              })}
            </ol>
          </section>
        ))}
      </div>
    </Panel>
  );
}
