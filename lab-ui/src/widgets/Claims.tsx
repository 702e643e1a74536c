import { useState } from 'react';
import { api, messageOf } from '../api';
import { useChapter } from '../chapters/chapter-context';
import type { Claim, Measurement } from '../types';
import { Panel } from './common';
import { Table } from './parts/CompactTable';

type Result = { measurement: Measurement } | { error: string };

const VERDICT: Record<Measurement['verdict'], string> = { holds: 'Holds here', fails: 'Does not hold here', unsettled: 'Not settled by this' };

/** The original's headline claims, each measured on this machine by the lab (`POST …/claims/:id/measure`), with a verdict. */
export function Claims() {
  const { chapter } = useChapter();
  const [results, setResults] = useState<Record<string, Result>>({});
  const [busy, setBusy] = useState<string | null>(null);
  // A measurement that runs something on the cluster asks first, saying what it will run.
  const [confirming, setConfirming] = useState<string | null>(null);

  async function run(claim: Claim) {
    setConfirming(null);
    setBusy(claim.id);
    setResults(({ [claim.id]: _, ...rest }) => rest);
    try {
      const measurement = await api<Measurement>(
        'POST',
        `/lab/v1/chapters/${encodeURIComponent(chapter.id)}/claims/${encodeURIComponent(claim.id)}/measure`,
        {},
      );
      setResults((r) => ({ ...r, [claim.id]: { measurement } }));
    } catch (err) {
      setResults((r) => ({ ...r, [claim.id]: { error: messageOf(err) } }));
    } finally {
      setBusy(null);
    }
  }

  return (
    <Panel title="Claimed by the original · measured here" className="claims">
      <Table className="claims-table" head={['The claim', 'Claimed by the original', 'Measured here']}>
        {chapter.claims.map((c) => {
          const r = results[c.id];
          return (
            <tr key={c.id} data-claim={c.id}>
              <td>
                {c.claim}
                <div className="muted small">{c.source}</div>
              </td>
              <td>{c.claimed}</td>
              <td>
                {confirming === c.id ? (
                  <fieldset className="confirm">
                    <legend className="small">Run the measurement?</legend>
                    <p className="small">{c.runs}</p>
                    <button type="button" className="primary" onClick={() => void run(c)}>
                      Run it
                    </button>{' '}
                    <button type="button" onClick={() => setConfirming(null)}>
                      Cancel
                    </button>
                  </fieldset>
                ) : (
                  <button type="button" onClick={() => (c.runs ? setConfirming(c.id) : void run(c))} disabled={busy !== null}>
                    {busy === c.id ? 'Measuring…' : 'Measure it here'}
                  </button>
                )}
                {c.runs && confirming !== c.id && <p className="muted small">{c.runs}</p>}
                {r && 'measurement' in r && (
                  <div aria-live="polite" data-measured={c.id} data-verdict={r.measurement.verdict}>
                    <p className="measured">{r.measurement.measured}</p>
                    <p className={`verdict verdict-${r.measurement.verdict}`}>
                      <strong>{VERDICT[r.measurement.verdict]}:</strong> {r.measurement.why}
                    </p>
                  </div>
                )}
                {r && 'error' in r && (
                  <p className="error" aria-live="polite" data-measured={c.id}>
                    {r.error}
                  </p>
                )}
                {c.note && <p className="muted small">{c.note}</p>}
              </td>
            </tr>
          );
        })}
      </Table>
    </Panel>
  );
}
