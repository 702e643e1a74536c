import { useCallback, useState } from 'react';
import { api } from '../api';
import { fmt, ms } from '../format';
import type { components } from '../generated/api';
import { ErrorNote, Panel, useAction, usePolled } from './common';

type OutboxView = components['schemas']['OutboxView'];
type OutboxDrill = components['schemas']['OutboxDrill'];

const REFRESH_MS = 1000;
/** Rows of the event list: every waiting event comes first, then the newest delivered. */
const EVENT_ROWS = 12;

/**
 * The outbox live, read from every shard (GET /lab/v1/references/outbox): pending, retrying and delivered
 * events and how long each took; and the drill that kills a shard during a cleanup (POST …/outbox-drill).
 */
export function Outbox() {
  const [view, setView] = useState<OutboxView | null>(null);
  const [drill, setDrill] = useState<OutboxDrill | null>(null);
  const refresh = useCallback(async () => setView(await api<OutboxView>('GET', '/lab/v1/references/outbox')), []);
  const load = usePolled(refresh, REFRESH_MS);
  const run = useAction(async () => {
    setDrill(null);
    setDrill(await api<OutboxDrill>('POST', '/lab/v1/references/outbox-drill'));
    await refresh();
  });
  return (
    <Panel title="The outbox, per shard" className="outbox-panel">
      <div className="row">
        <button type="button" onClick={() => void run.run()} disabled={run.busy}>
          Kill a shard during a cleanup
        </button>
        {run.busy && <span className="muted">a shard is down; watch the event wait below, then go…</span>}
      </div>
      <ErrorNote error={load.error ?? run.error} />
      {view && (
        <div className="table-wrap">
          <table data-outbox-shards>
            <thead>
              <tr>
                <th>shard</th>
                <th>pending</th>
                <th>retrying</th>
                <th>delivered</th>
                <th>slowest delivery (ms)</th>
              </tr>
            </thead>
            <tbody>
              {view.shards.map((s) => (
                <tr key={s.shard} data-shard={s.shard} data-pending={s.reachable ? s.pending : undefined}>
                  <td>{s.shard}</td>
                  {s.reachable ? (
                    <>
                      <td className={s.pending > 0 ? 'bad' : undefined}>{fmt(s.pending)}</td>
                      <td>{fmt(s.retrying)}</td>
                      <td>{fmt(s.delivered)}</td>
                      <td>{ms(s.max_lag_ms)}</td>
                    </>
                  ) : (
                    <td colSpan={4} className="bad" title={s.error ?? undefined}>
                      down — its events wait on its disk
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {view && view.events.length > 0 && (
        <div className="table-wrap">
          <table data-outbox-events>
            <caption>Latest events (each shard keeps its newest {fmt(view.kept)} delivered)</caption>
            <thead>
              <tr>
                <th>shard</th>
                <th>topic</th>
                <th>about</th>
                <th>state</th>
                <th>attempts</th>
                <th>age / lag (ms)</th>
                <th>last error</th>
              </tr>
            </thead>
            <tbody>
              {view.events.slice(0, EVENT_ROWS).map((e) => (
                <tr key={`${e.shard}-${e.id}`} data-state={e.state}>
                  <td>{e.shard}</td>
                  <td>{e.topic}</td>
                  <td className="mono">{e.subject?.slice(0, 8) ?? ''}</td>
                  <td className={e.state === 'delivered' ? 'good' : 'bad'}>{e.state}</td>
                  <td>{fmt(e.attempts)}</td>
                  <td>{ms(e.age_ms)}</td>
                  <td className="outbox-error">{e.last_error ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {drill && (
        <div aria-live="polite" data-drill-orphans={drill.orphans}>
          <ol className="outbox-steps">
            {drill.steps.map((s, i) => (
              <li key={i}>
                <span className="muted">{ms(s.at_ms)} ms</span> {s.what}
              </li>
            ))}
          </ol>
          <p>
            The event failed {fmt(drill.while_down.attempts)} time(s) while {drill.conversation_shard} was down, and was delivered after {fmt(drill.attempts)}{' '}
            attempt(s), {ms(drill.lag_ms)} ms after the delete: <strong className={drill.orphans === 0 ? 'good' : 'bad'}>{fmt(drill.orphans)} orphan(s)</strong>
            .
          </p>
        </div>
      )}
    </Panel>
  );
}
