import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { api } from './api';
import { ChapterNav } from './chapters/ChapterNav';
import { ChapterPage } from './chapters/ChapterPage';
import { ClusterDock } from './dock/ClusterDock';
import { IndexContext } from './chapters/index-context';
import { useLive, type Live } from './live';
import type { ChapterIndex } from './types';

const TerminalView = lazy(() => import('./widgets/Terminal').then((m) => ({ default: m.TerminalView })));

const DEFAULT_CHAPTER = 'overview';
/** The dock stays open or closed across visits, as the learner left it. */
const DOCK_KEY = 'shard-lab.dock';

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
  const [dock, setDock] = useState(() => localStorage.getItem(DOCK_KEY) === 'open');
  const toggleDock = () =>
    setDock((open) => {
      localStorage.setItem(DOCK_KEY, open ? 'closed' : 'open');
      return !open;
    });

  const reload = useCallback(() => {
    void api<ChapterIndex>('GET', '/lab/v1/chapters').then(setIndex, () => undefined);
  }, []);

  // Progress and the chapter list may have changed while the lab was away.
  useEffect(() => {
    if (live.epoch > 0) reload();
  }, [live.epoch, reload]);

  useEffect(() => {
    reload();
    const onHash = () => setChapter((c) => chapterFromHash(c));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [reload]);

  return (
    <IndexContext.Provider value={{ index, reload }}>
      {/* biome-ignore lint/a11y/useValidAnchor: a real link for keyboard users; the click only keeps #main out of the chapter router's hash */}
      <a className="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to the chapter
      </a>
      <div className="app" data-lab={live.status} data-terminal={terminal ? 'open' : 'closed'} data-dock={dock ? 'open' : 'closed'}>
        <header className="topbar">
          <a className="brand" href={`#/chapters/${DEFAULT_CHAPTER}`}>
            <span className="logo" aria-hidden="true" />
            Shard Lab
          </a>
          <span className={`live live-${live.status}`} role="status">
            {statusLine(live)}
          </span>
          <button type="button" className="dock-toggle" aria-expanded={dock} aria-controls="cluster-dock" onClick={toggleDock}>
            {dock ? 'Hide cluster' : 'Cluster'}
          </button>
          <button type="button" className="terminal-toggle" aria-expanded={terminal} aria-controls="terminal-drawer" onClick={() => setTerminal((t) => !t)}>
            {terminal ? 'Hide terminal' : 'Terminal'}
          </button>
        </header>
        <nav className="sidebar" aria-label="Chapters">
          <ChapterNav index={index} current={chapter} />
        </nav>
        <main id="main" tabIndex={-1}>
          {live.status === 'lost' && (
            <p className="lab-lost" role="alert">
              The lab is not running, so what this page shows may be out of date. Start it again with <code>make dev</code>; the page reconnects by itself.
            </p>
          )}
          {/* Keyed by the epoch too: when the lab comes back, every widget fetches its state again. */}
          <ChapterPage key={`${chapter}@${live.epoch}`} id={chapter} />
        </main>
        {dock && <ClusterDock key={live.epoch} />}
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

/** The header's one line about the lab: is it there, and what state are its shards in. */
function statusLine(live: Live): string {
  if (live.status === 'connecting') return 'connecting to the lab…';
  if (live.status === 'lost') return 'lab not running';
  const shards = live.topology?.shards ?? [];
  const byState = new Map<string, number>();
  for (const s of shards) if (s.status !== 'up') byState.set(s.status, (byState.get(s.status) ?? 0) + 1);
  const notUp = [...byState].map(([state, n]) => `${n} ${state}`);
  const count = `${shards.length} shard${shards.length === 1 ? '' : 's'}${notUp.length ? ` (${notUp.join(', ')})` : ''}`;
  return live.status === 'back' ? `back · ${count}` : `live · ${count}`;
}
