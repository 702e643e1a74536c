import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { api, ApiError, messageOf } from '../api';
import { InlineText } from './InlineText';
import type { Body, StepReport } from '../types';
import { ShardSelect } from '../widgets/common';
import { useChapter } from './chapter-context';

type CheckReply = Body<'/lab/v1/chapters/{id}/exercises/{exercise}/check', 'post'>;
type SolveReply = Body<'/lab/v1/chapters/{id}/exercises/{exercise}/solve', 'post'>;

/** An exercise: the task, an answer box when it asks a question, and Check / Hint / Solve it for me. */
export function Exercise({ id, children }: { id: string; children: ReactNode }) {
  const { chapter, updateExercise } = useChapter();
  const index = chapter.exercises.findIndex((e) => e.id === id);
  const view = chapter.exercises[index];
  const [answer, setAnswer] = useState('');
  const [result, setResult] = useState<{ passed: boolean; message: string } | null>(null);
  const [hint, setHint] = useState(false);
  const [busy, setBusy] = useState<'check' | 'solve' | null>(null);
  const [steps, setSteps] = useState<StepReport[] | null>(null);
  const headingId = useId();
  const answerId = useId();
  if (!view) return <p className="error">Unknown exercise {id}.</p>;

  const base = `/lab/v1/chapters/${encodeURIComponent(chapter.id)}/exercises/${encodeURIComponent(id)}`;

  async function check(e: FormEvent) {
    e.preventDefault();
    setBusy('check');
    setSteps(null);
    try {
      const typed = answer.trim();
      // A number goes as typed: the lab reads `22,69` and `1.000` as the learner means them, or says how to write it.
      const body = !view!.input || typed === '' ? {} : { answer: typed };
      const r = await api<CheckReply>('POST', `${base}/check`, body);
      setResult({ passed: r.passed, message: r.message });
      if (r.progress) updateExercise({ ...view!, progress: r.progress });
    } catch (err) {
      setResult({ passed: false, message: messageOf(err) });
    } finally {
      setBusy(null);
    }
  }

  async function solve() {
    setBusy('solve');
    setResult(null);
    setSteps(null);
    try {
      const r = await api<SolveReply>('POST', `${base}/solve`);
      if (r.answer !== null) setAnswer(String(r.answer));
      setSteps(r.steps);
      setResult({ passed: true, message: r.message });
      updateExercise({ ...view!, progress: r.progress });
    } catch (err) {
      const partial = err instanceof ApiError ? (err.details.steps as StepReport[] | undefined) : undefined;
      if (partial) setSteps(partial);
      setResult({ passed: false, message: messageOf(err) });
    } finally {
      setBusy(null);
    }
  }

  const passed = view.progress;
  return (
    <section className={`exercise ${passed ? 'exercise-passed' : ''}`} aria-labelledby={headingId} data-exercise={id}>
      <header className="exercise-head">
        <span className="exercise-number">Exercise {index + 1}</span>
        <h3 id={headingId}>{view.title}</h3>
        {passed && (
          <span className="badge badge-pass" title={`at ${passed.passed_at}`}>
            ✓ {passed.how === 'solved' ? 'solved for you' : 'passed'}
          </span>
        )}
      </header>
      <div className="exercise-task">{children}</div>
      <form className="exercise-form" onSubmit={check}>
        {view.input?.type === 'shard' && <ShardSelect id={answerId} label={view.input.label} value={answer} onChange={setAnswer} />}
        {view.input?.type === 'choice' && (
          <span className="field">
            <label htmlFor={answerId}>{view.input.label}</label>
            <select id={answerId} value={answer} onChange={(e) => setAnswer(e.target.value)}>
              <option value="">choose…</option>
              {(view.input.options ?? []).map((o) => (
                <option key={o}>{o}</option>
              ))}
            </select>
          </span>
        )}
        {view.input?.type === 'number' && (
          <span className="field">
            <label htmlFor={answerId}>{view.input.label}</label>
            <span className="with-unit">
              <input id={answerId} type="text" inputMode="decimal" autoComplete="off" value={answer} onChange={(e) => setAnswer(e.target.value)} />
              {view.input.unit && <span className="unit">{view.input.unit}</span>}
            </span>
          </span>
        )}
        <div className="buttons">
          <button type="submit" className="primary" disabled={busy !== null}>
            {busy === 'check' ? 'Checking…' : 'Check'}
          </button>
          <button type="button" aria-expanded={hint} onClick={() => setHint((h) => !h)}>
            Hint
          </button>
          <button type="button" onClick={() => void solve()} disabled={busy !== null}>
            {busy === 'solve' ? 'Solving…' : 'Solve it for me'}
          </button>
        </div>
      </form>
      {hint && (
        <p className="hint">
          <InlineText text={view.hint} />
        </p>
      )}
      <details className="solve-steps">
        <summary>What “Solve it for me” does</summary>
        <ol>
          {view.solve_steps.map((s) => (
            <li key={s}>
              <InlineText text={s} />
            </li>
          ))}
        </ol>
      </details>
      <div className="result-area" aria-live="polite">
        {result && (
          <p className={`result ${result.passed ? 'result-pass' : 'result-fail'}`} data-result={result.passed ? 'pass' : 'fail'}>
            <strong>{result.passed ? 'Pass. ' : 'Not yet. '}</strong>
            <InlineText text={result.message} />
          </p>
        )}
        {steps && (
          <ol className="step-report">
            {steps.map((s, i) => (
              <li key={i} className={`step-${s.status}`}>
                {s.step} — <em>{s.status === 'skipped' ? 'skipped' : 'done'}</em>: {s.detail}
              </li>
            ))}
          </ol>
        )}
      </div>
    </section>
  );
}
