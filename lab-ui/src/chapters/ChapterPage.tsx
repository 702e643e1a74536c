import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, api, messageOf } from '../api';
import { useChannel } from '../live';
import type { Chapter, ExerciseProgress, ExerciseView, StartState, StepReport } from '../types';
import { ErrorNote, useAction } from '../widgets/common';
import { ChapterContext } from './chapter-context';
import { chapterHref, GLOSSARY_HREF, sectionOf, useChapterIndex } from './index-context';
import { Markdown } from './Markdown';

const startText = (s: StartState['start']) =>
  [
    `${s.users.toLocaleString('en-US')} users`,
    s.conversations ? `${s.conversations.toLocaleString('en-US')} conversations` : '',
    s.messages ? `${s.messages.toLocaleString('en-US')} messages` : '',
  ]
    .filter(Boolean)
    .join(', ');

/** Focus moves to a chapter when the learner opens another one, not when the page first loads. */
let firstChapter = true;

/** One chapter: its prose and widgets, exercise progress, and "Reset chapter". */
export function ChapterPage({ id }: { id: string }) {
  const { index, reload: reloadIndex } = useChapterIndex();
  const [chapter, setChapter] = useState<Chapter | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [missing, setMissing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [resetSteps, setResetSteps] = useState<StepReport[] | null>(null);
  const [start, setStart] = useState<StartState | null>(null);
  const top = useRef<HTMLElement>(null);

  // Where the cluster stands against this chapter's start: said on entering, so nothing passes for free from
  // what another chapter left, and listed again before a reset changes it.
  const loadStart = useCallback(async () => {
    setStart(await api<StartState>('GET', `/lab/v1/chapters/${encodeURIComponent(id)}/start`).catch(() => null));
  }, [id]);

  /** Loads the chapter; false when there is none to show. */
  const load = useCallback(async (): Promise<boolean> => {
    try {
      setChapter(await api<Chapter>('GET', `/lab/v1/chapters/${encodeURIComponent(id)}`));
      setError(null);
      setMissing(false);
      return true;
    } catch (err) {
      // A stale bookmark or a mistyped address is not an error of the lab: the page says so and links the chapters.
      if (err instanceof ApiError && err.status === 404) setMissing(true);
      else setError(messageOf(err));
      return false;
    }
  }, [id]);

  useEffect(() => {
    setChapter(null);
    setResetSteps(null);
    setConfirming(false);
    setStart(null);
    // Only a chapter that exists has a start to compare with; it is compared on entering and after a reset, not on
    // every reload, so the note does not come and go under the learner's pointer.
    void load().then((found) => (found ? loadStart() : undefined));
  }, [load, loadStart]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: once per chapter shown (its id), not again on every refresh of its data
  useEffect(() => {
    if (!chapter) return;
    document.title = `${chapter.title} · Shard Lab`;
    const section = sectionOf(location.hash);
    if (section) document.getElementById(section)?.scrollIntoView();
    else if (!firstChapter) {
      top.current?.focus({ preventScroll: true });
      window.scrollTo({ top: 0 });
    }
    firstChapter = false;
    // Focus moves once per chapter, not on every progress update.
  }, [chapter?.id]);

  // A link to a section of the chapter already shown (the glossary, from its own chapter) scrolls to it.
  useEffect(() => {
    const onHash = () => {
      const section = sectionOf(location.hash);
      if (section) document.getElementById(section)?.scrollIntoView();
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  useChannel<{ chapter_id: string; progress: ExerciseProgress[] }>('progress', (p) => {
    if (p.chapter_id !== id) return;
    setChapter((c) => (c ? { ...c, exercises: c.exercises.map((e) => ({ ...e, progress: p.progress.find((x) => x.exercise_id === e.id) ?? null })) } : c));
    reloadIndex();
  });

  const reset = useAction(async () => {
    setConfirming(false);
    setResetSteps(null);
    // The old comparison is void: the note stays away until the new one arrives, rather than flash in between.
    setStart(null);
    const r = await api<{ steps: StepReport[] }>('POST', `/lab/v1/chapters/${encodeURIComponent(id)}/reset`);
    setResetSteps(r.steps);
    await Promise.all([load(), loadStart()]);
  });
  const askReset = () => {
    setConfirming(true);
    void loadStart();
  };

  const upcoming = index?.upcoming[id];
  if (upcoming || missing) {
    // A chapter the paths name but nobody has written yet, or none at all: say so plainly, not as an error.
    return (
      <article className="chapter upcoming-chapter" {...(upcoming ? { 'data-chapter-upcoming': id } : { 'data-chapter-missing': id })}>
        <h1>{upcoming ?? 'No such chapter'}</h1>
        <p>
          {upcoming ? 'This chapter is not written yet.' : `There is no chapter “${id}”.`} The cluster, the terminal and the API work here as in every chapter.
          The chapters:
        </p>
        <ul>
          {index?.chapters.map((c) => (
            <li key={c.id}>
              <a href={chapterHref(c.id)}>{c.title}</a>
            </li>
          ))}
        </ul>
      </article>
    );
  }
  if (error)
    return (
      <p className="error" role="alert">
        {error}
      </p>
    );
  if (!chapter) return <p className="muted">Loading chapter…</p>;

  const passed = chapter.exercises.filter((e) => e.progress).length;
  const updateExercise = (view: ExerciseView) => {
    setChapter((c) => (c ? { ...c, exercises: c.exercises.map((e) => (e.id === view.id ? view : e)) } : c));
    reloadIndex();
  };

  return (
    <ChapterContext.Provider value={{ chapter, reload: () => void load(), updateExercise }}>
      <section className="chapter-bar" ref={top} tabIndex={-1} aria-label={`${chapter.title} chapter`}>
        <span>
          {chapter.exercises.length > 0 ? (
            <>
              <strong data-passed={passed}>{passed}</strong> of {chapter.exercises.length} exercises done
            </>
          ) : (
            'No exercises in this chapter'
          )}
          {chapter.original && <span className="muted"> · teaches the original's {chapter.original}</span>}
          <span className="muted">
            {' · '}
            <a href={GLOSSARY_HREF}>Glossary</a>
          </span>
        </span>
        <span className="chapter-actions">
          {confirming ? (
            <>
              <span className="muted small">Reset the cluster to this chapter's start?</span>
              <button type="button" className="danger" onClick={() => void reset.run()}>
                Yes, reset
              </button>
              <button type="button" onClick={() => setConfirming(false)}>
                Cancel
              </button>
            </>
          ) : (
            <button type="button" onClick={askReset} disabled={reset.busy} aria-describedby="reset-steps">
              {reset.busy ? 'Resetting…' : 'Reset chapter'}
            </button>
          )}
        </span>
      </section>
      <p id="reset-steps" className="sr-only">
        Reset runs: {chapter.reset_steps.join('; ')}
      </p>
      {confirming && (
        <div className="muted small" data-reset-preview>
          {start && start.differences.length > 0 ? (
            <>
              <p>The reset changes what differs from the start:</p>
              <ul>
                {start.differences.map((d) => (
                  <li key={d}>{d}</li>
                ))}
              </ul>
            </>
          ) : (
            <p>The cluster matches the start in shards, schema and row counts; the reset still restores every row from the start's snapshot.</p>
          )}
          <p>It runs, in this order (your progress stays):</p>
          <ol>
            {chapter.reset_steps.map((s) => (
              <li key={s}>{s}</li>
            ))}
          </ol>
        </div>
      )}
      {!confirming && !reset.busy && start && !start.at_start && (
        <div className="callout callout-warning" role="status" data-start-differs>
          <strong>The cluster is not at this chapter's start</strong> ({startText(start.start)} on {start.configured_shards} shards). It differs:
          <ul>
            {start.differences.map((d) => (
              <li key={d}>{d}</li>
            ))}
          </ul>
          Exercises check the cluster as it is;{' '}
          <button type="button" onClick={askReset}>
            Reset chapter
          </button>{' '}
          restores the start from a snapshot in about a second.
        </div>
      )}
      <ErrorNote error={reset.error} />
      {resetSteps && (
        <div className="callout callout-note" role="status">
          <strong>Chapter reset.</strong>
          <ul>
            {resetSteps.map((s, i) => (
              <li key={i}>
                {s.step}: {s.detail}
              </li>
            ))}
          </ul>
        </div>
      )}
      <article className="chapter" data-chapter={chapter.id}>
        <Markdown text={chapter.body} />
      </article>
    </ChapterContext.Provider>
  );
}
