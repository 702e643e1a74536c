import { useId, useState, type FormEvent } from 'react';
import { api } from '../api';
import { fmt } from '../format';
import type { IdAnatomy } from '../types';
import { ErrorNote, Panel, useAction } from './common';

const FIELD_CLASS: Record<IdAnatomy['fields'][number]['name'], string> = {
  unix_ts_ms: 'uuid-ts',
  ver: 'uuid-ver',
  rand_a: 'uuid-rand',
  'var + rand_b': 'uuid-rand',
  random: 'uuid-rand',
};

/** A UUID taken apart by the lab (GET /lab/v1/ids/:id): the time, version and random bits of a live id. */
export function UuidAnatomyWidget({ attrs }: { attrs: Record<string, string> }) {
  const [id, setId] = useState(attrs.id ?? '');
  const [anatomy, setAnatomy] = useState<IdAnatomy | null>(null);
  const [seenAt, setSeenAt] = useState(0);
  const input = useId();
  const inspect = useAction(async (raw: string) => {
    setAnatomy(await api<IdAnatomy>('GET', `/lab/v1/ids/${encodeURIComponent(raw.trim())}`));
    setSeenAt(Date.now());
  });
  const newest = useAction(async () => {
    const page = await api<{ data: { id: string }[] }>('GET', '/api/v1/users?limit=1');
    const first = page.data[0];
    if (!first) throw new Error('There are no users yet: create one first.');
    setId(first.id);
    await inspect.run(first.id);
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void inspect.run(id);
  };
  return (
    <Panel title="UUID anatomy" className="uuid-anatomy">
      <form className="row" onSubmit={submit}>
        <span className="field grow">
          <label htmlFor={input}>An id (paste one, or take the newest user's)</label>
          <input id={input} className="mono" value={id} onChange={(e) => setId(e.target.value)} autoComplete="off" />
        </span>
        <button type="submit" className="primary" disabled={inspect.busy || !id.trim()}>
          Inspect
        </button>
        <button type="button" onClick={() => void newest.run()} disabled={newest.busy}>
          Newest user's id
        </button>
      </form>
      <ErrorNote error={inspect.error ?? newest.error} />
      {anatomy && (
        <div data-version={anatomy.version}>
          <p className="uuid-digits mono">
            {anatomy.fields.map((f, i) => (
              <span key={`${f.name}-${i}`} className={FIELD_CLASS[f.name]} title={`${f.name}: ${f.bits} bits`}>
                {f.hex}
              </span>
            ))}
          </p>
          <table className="small">
            <tbody>
              {anatomy.fields.map((f, i) => (
                <tr key={`${f.name}-${i}`}>
                  <th className={FIELD_CLASS[f.name]}>{f.name}</th>
                  <td className="mono">{f.hex}</td>
                  <td>{f.bits} bits</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="small" data-unix-ms={anatomy.unix_ms ?? undefined}>
            {anatomy.unix_ms === null ? (
              <>
                Version {anatomy.version}: no time inside; {anatomy.random_bits} random bits.
              </>
            ) : (
              <>
                Version 7, variant {anatomy.variant_bits}: minted at <strong>{fmt(anatomy.unix_ms)}</strong> ms after 1970-01-01 = {anatomy.time} —{' '}
                {fmt(Math.max(0, seenAt - anatomy.unix_ms))} ms before you pressed the button. {anatomy.random_bits} bits are random.
              </>
            )}
          </p>
        </div>
      )}
    </Panel>
  );
}
