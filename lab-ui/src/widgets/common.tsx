import { useCallback, useEffect, useId, useState, type FormEvent, type ReactNode, type RefObject } from 'react';
import { messageOf } from '../api';
import { useLive } from '../live';

/** A widget's frame: a labelled region with a heading, optional controls on the right. */
export function Panel({ title, children, actions, className }: { title: string; children: ReactNode; actions?: ReactNode; className?: string }) {
  const id = useId();
  return (
    <section className={`panel ${className ?? ''}`} aria-labelledby={id}>
      <header className="panel-head">
        <h3 id={id}>{title}</h3>
        {actions && <div className="panel-actions">{actions}</div>}
      </header>
      <div className="panel-body">{children}</div>
    </section>
  );
}

/** Runs an async action with busy and error state, for buttons. */
export function useAction<A extends unknown[], R>(fn: (...args: A) => Promise<R>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (...args: A): Promise<R | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await fn(...args);
    } catch (err) {
      setError(messageOf(err));
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { run, busy, error, setError };
}

/**
 * Loads once (its error shown through the returned action), then quietly fetches again every `everyMs`: for
 * numbers the event stream does not carry every second. A widget remounts when the lab comes back.
 */
export function usePolled(refresh: () => Promise<unknown>, everyMs: number) {
  const load = useAction(refresh);
  // biome-ignore lint/correctness/useExhaustiveDependencies: one first load and one timer for the life of the widget; load is a new object each render
  useEffect(() => {
    void load.run();
    const timer = setInterval(() => void refresh().catch(() => undefined), everyMs);
    return () => clearInterval(timer);
  }, [refresh, everyMs]);
  return load;
}

export function ErrorNote({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <p className="error" role="alert">
      {error}
    </p>
  );
}

/** A labelled whole-number box; the text stays the learner's own until the form uses it. */
export function NumberField({
  label,
  value,
  onChange,
  min,
  max,
  placeholder,
}: {
  label: string;
  value: string;
  onChange(v: string): void;
  min: number;
  max: number;
  placeholder?: string;
}) {
  const id = useId();
  return (
    <span className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} type="number" min={min} max={max} value={value} placeholder={placeholder} onChange={(e) => onChange(e.target.value)} />
    </span>
  );
}

/** A select of the live shards (by name). */
export function ShardSelect({ value, onChange, label, id }: { value: string; onChange(v: string): void; label: string; id?: string }) {
  const { topology } = useLive();
  const names = topology?.shards.map((s) => s.name) ?? [];
  const auto = useId();
  const inputId = id ?? auto;
  return (
    <span className="field">
      <label htmlFor={inputId}>{label}</label>
      <select id={inputId} value={value} onChange={(e) => onChange(e.target.value)}>
        {!names.includes(value) && <option value={value}>{value || 'choose…'}</option>}
        {names.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
    </span>
  );
}

/** A new user's first and last name and the button that creates them; the caller posts to /api/v1/users. */
export function NewUserForm({
  first,
  last,
  onFirst,
  onLast,
  onSubmit,
  busy,
  primary = false,
}: {
  first: string;
  last: string;
  onFirst(v: string): void;
  onLast(v: string): void;
  onSubmit(e: FormEvent): void;
  busy: boolean;
  primary?: boolean;
}) {
  const ids = { first: useId(), last: useId() };
  return (
    <form className="row" onSubmit={onSubmit}>
      <span className="field">
        <label htmlFor={ids.first}>First name</label>
        <input id={ids.first} value={first} onChange={(e) => onFirst(e.target.value)} autoComplete="off" />
      </span>
      <span className="field">
        <label htmlFor={ids.last}>Last name</label>
        <input id={ids.last} value={last} onChange={(e) => onLast(e.target.value)} autoComplete="off" />
      </span>
      <button type="submit" className={primary ? 'primary' : undefined} disabled={busy}>
        Create user
      </button>
    </form>
  );
}
/** One choice of a `Choices` group: the value sent, the label shown, and a tooltip saying what it does. */
export interface Choice {
  value: string;
  label: string;
  title: string;
}

/**
 * A row of radio buttons for a mode the lab holds (pool mode, cache mode, read policy). `checked` is what to show:
 * the choice just asked for, then the lab's answer. Each button is labelled `${aria} ${value}` for tests and readers.
 */
export function Choices({
  legend,
  aria,
  choices,
  checked,
  disabled,
  onChoose,
}: {
  legend: string;
  aria: string;
  choices: readonly Choice[];
  checked: string | null | undefined;
  disabled: boolean;
  onChoose(value: string): void;
}) {
  const name = useId();
  return (
    <fieldset className="row" disabled={disabled}>
      <legend>{legend}</legend>
      {choices.map((c) => (
        <label key={c.value} title={c.title}>
          <input type="radio" aria-label={`${aria} ${c.value}`} name={name} value={c.value} checked={checked === c.value} onChange={() => onChoose(c.value)} />{' '}
          {c.label}
        </label>
      ))}
    </fieldset>
  );
}

/** A one-line form (fields, then its submit button) that runs `onSubmit` instead of reloading the page. */
export function ActionForm({ onSubmit, children }: { onSubmit(): void; children: ReactNode }) {
  return (
    <form
      className="row"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      {children}
    </form>
  );
}

/**
 * True once the element (given through the returned ref, which also fills `box` when given) has come near the
 * viewport, and from then on: a heavy library (Mermaid, xterm.js, uPlot) loads when its widget is about to be seen,
 * so the first visit downloads only what the first screen shows.
 */
export function useOnScreen<E extends Element>(box?: RefObject<E | null>): [(el: E | null) => void, boolean] {
  const [el, setEl] = useState<E | null>(null);
  const [seen, setSeen] = useState(() => typeof IntersectionObserver === 'undefined');
  useEffect(() => {
    if (seen || !el) return;
    const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && setSeen(true), { rootMargin: '300px 0px' });
    observer.observe(el);
    return () => observer.disconnect();
  }, [el, seen]);
  const attach = useCallback(
    (node: E | null) => {
      if (box) box.current = node;
      setEl(node);
    },
    [box],
  );
  return [attach, seen];
}

/** A panel's Refresh button for numbers loaded by `usePolled`: fetches now instead of at the next tick. */
export function RefreshButton({ load }: { load: { run(): Promise<unknown>; busy: boolean } }) {
  return (
    <button type="button" onClick={() => void load.run()} disabled={load.busy}>
      Refresh
    </button>
  );
}
