import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { api } from './api';
import { ChapterNav } from './chapters/ChapterNav';
import { ChapterPage } from './chapters/ChapterPage';
import { IndexContext } from './chapters/index-context';
import { useLive } from './live';
import type { ChapterIndex } from './types';

const TerminalView = lazy(() => import('./widgets/Terminal').then((m) => ({ default: m.TerminalView })));

const DEFAULT_CHAPTER = 'overview';

/** `#/chapters/<id>`; other hashes are in-page anchors and leave the chapter as it is. */
function chapterFromHash(fallback: string): string {
  const m = /^#\/chapters\/([a-z0-9-]+)/.exec(location.hash);
  return m ? m[1]! : fallback;
}

export function App() {
  const live = useLive();
  const [chapter, setChapter] = useState(() => chapterFromHash(DEFAULT_CHAPTER));
  const [index, setIndex] = useState<ChapterIndex | null>(null);
  const [terminal, setTerminal] = useState(false);

  const reload = useCallback(() => {
    void api<ChapterIndex>('GET', '/lab/v1/chapters').then(setIndex, () => undefined);
  }, []);

  useEffect(() => {
    reload();
    const onHash = () => setChapter((c) => chapterFromHash(c));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [reload]);

  return (
    <IndexContext.Provider value={{ index, reload }}>
      <a className="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to the chapter
      </a>
      <div className="app">
        <header className="topbar">
          <a className="brand" href={`#/chapters/${DEFAULT_CHAPTER}`}>
            <span className="logo" aria-hidden="true" />
            Shard Lab
          </a>
          <span className={`live ${live.connected ? 'live-on' : 'live-off'}`} role="status">
            {live.connected ? `live · ${live.topology?.shards.length ?? '?'} shards` : 'reconnecting to the lab…'}
          </span>
          <button type="button" className="terminal-toggle" aria-expanded={terminal} aria-controls="terminal-drawer" onClick={() => setTerminal((t) => !t)}>
            {terminal ? 'Hide terminal' : 'Terminal'}
          </button>
        </header>
        <nav className="sidebar" aria-label="Chapters">
          <ChapterNav index={index} current={chapter} />
        </nav>
        <main id="main" tabIndex={-1}>
          <ChapterPage key={chapter} id={chapter} />
        </main>
      </div>
      {terminal && (
        <section id="terminal-drawer" className="drawer" aria-label="Terminal">
          <Suspense fallback={<p className="muted">Loading the terminal…</p>}>
            <TerminalView height={260} />
          </Suspense>
        </section>
      )}
    </IndexContext.Provider>
  );
}
