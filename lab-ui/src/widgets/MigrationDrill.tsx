import { useCallback, useId, useState } from 'react';
import { api } from '../api';
import { fmt, ms } from '../format';
import { useChannel } from '../live';
import type { Body } from '../types';
import { ErrorNote, Panel, ShardSelect, useAction, usePolled } from './common';
import { CompactTable } from './parts/CompactTable';

type Status = Body<'/lab/v1/migration-drill', 'get'>;
type RunReport = Body<'/lab/v1/migration-drill/run', 'post'>;
type Crash = Body<'/lab/v1/migration-drill/crash', 'post'>;
type Probe = Body<'/lab/v1/migration-drill/probe', 'post'>;
type LockQueue = Body<'/lab/v1/migration-drill/lock-queue', 'post'>;
type Requests = Body<'/lab/v1/migration-drill/requests', 'post'>;
type Lock = Status['shards'][number]['lock'];
type Mode = 'advisory' | 'faithful';

/** Often enough to watch a lock appear and vanish during a crash drill (which takes about a second). */
const REFRESH_MS = 1_000;

/** The drill's polite ALTER: short enough that queued reads barely notice, long enough to get a lock on an idle table. */
const LOCK_TIMEOUT_MS = 50;

const MODE_LABEL: Record<Mode, string> = { advisory: "lab's runner (advisory lock)", faithful: "original's runner (lock row)" };

function rowLock(l: Lock): string {
  return l.row_locked === null ? '–' : l.row_locked ? 'locked' : 'free';
}

function advisoryLock(l: Lock): string {
  return l.advisory_pid === null ? 'free' : `held by pid ${l.advisory_pid}`;
}

function RunTable({ report }: { report: RunReport }) {
  return (
    <div data-run-ok={String(report.ok)}>
      <p className="muted">
        {report.crash ? 'Crash drill' : 'Run'}: {report.action} with the {MODE_LABEL[report.mode]}, {ms(report.ms)} ms in all.
      </p>
      <CompactTable head={['shard', 'ran (ms each)', 'outcome']}>
        {report.shards.map((s) => (
          <tr key={s.shard} data-shard={s.shard}>
            <th scope="row">{s.shard}</th>
            <td className="mono">{s.ran.length ? s.ran.map((r) => `${r.migration} (${ms(r.ms)})`).join(', ') : 'nothing'}</td>
            <td>
              {s.failed ? (
                <span className="error">
                  stopped{s.failed.migration ? ` at ${s.failed.migration} after ${ms(s.failed.ms)} ms` : ''}: {s.failed.message}
                </span>
              ) : s.skipped ? (
                <span className="error">{s.skipped}</span>
              ) : (
                `ok in ${ms(s.ms)} ms`
              )}
            </td>
          </tr>
        ))}
      </CompactTable>
    </div>
  );
}

/** The app's own requests through the messenger API, one row each: where the schema lags, the API's error. */
function RequestsTable({ report }: { report: Requests }) {
  return (
    <div className="report" aria-live="polite" data-failed-shards={report.failed_shards.join(',')}>
      <p>
        <strong>{report.verdict}</strong>
      </p>
      <CompactTable head={['shard', `request (app version ${report.app_version})`, 'status', 'outcome']}>
        {report.requests.map((r) => (
          <tr key={`${r.shard}-${r.method}`} data-request-shard={r.shard} data-ok={String(r.ok)}>
            <th scope="row">{r.shard}</th>
            <td className="mono">
              {r.method} {r.path}
            </td>
            <td>{r.status}</td>
            <td>{r.ok ? `ok in ${ms(r.ms)} ms` : <span className="error">{r.error}</span>}</td>
          </tr>
        ))}
      </CompactTable>
    </div>
  );
}

/**
 * The Migrations chapter's drill: each drill migration per shard (applied / pending / failed / running), both
 * kinds of lock per shard, live; inject a failure on one shard, resume, crash a run with either runner.
 */
export function MigrationDrill() {
  const [status, setStatus] = useState<Status | null>(null);
  const [mode, setMode] = useState<Mode>('advisory');
  const [shard, setShard] = useState('shard-2');
  const [migration, setMigration] = useState('0003_index_priority');
  const [crash, setCrash] = useState<Crash | null>(null);
  const [probe, setProbe] = useState<Probe | null>(null);
  const [queue, setQueue] = useState<LockQueue | null>(null);
  const [requests, setRequests] = useState<Requests | null>(null);
  const [underLoad, setUnderLoad] = useState(false);
  const modeId = useId();
  const migrationId = useId();

  const refresh = useCallback(async () => setStatus(await api<Status>('GET', '/lab/v1/migration-drill')), []);
  const load = usePolled(refresh, REFRESH_MS);
  useChannel('progress', () => void refresh().catch(() => undefined));

  const act = useAction(async (fn: () => Promise<unknown>) => {
    try {
      await fn();
    } finally {
      await refresh();
    }
  });
  const run = (action: 'up' | 'down' | 'latest') => act.run(() => api<RunReport>('POST', '/lab/v1/migration-drill/run', { action, mode }));
  const doCrash = (m: Mode) =>
    act.run(async () => {
      setCrash(null);
      setCrash(await api<Crash>('POST', '/lab/v1/migration-drill/crash', { mode: m }));
    });

  const lockQueue = (lockTimeoutMs: number | null) =>
    act.run(async () => {
      setQueue(null);
      setQueue(
        await api<LockQueue>('POST', '/lab/v1/migration-drill/lock-queue', { shard, hold_ms: 2_000, lock_timeout_ms: lockTimeoutMs, under_load: underLoad }),
      );
    });

  const lastRun = status?.runs[0] ?? null;
  return (
    <Panel
      title="Migration drill"
      className="migration-drill"
      actions={
        <>
          <span className="field">
            <label htmlFor={modeId}>Runner</label>
            <select id={modeId} value={mode} onChange={(e) => setMode(e.target.value as Mode)}>
              <option value="advisory">{MODE_LABEL.advisory}</option>
              <option value="faithful">{MODE_LABEL.faithful}</option>
            </select>
          </span>
          <button type="button" onClick={() => void run('up')} disabled={act.busy}>
            Up
          </button>
          <button type="button" onClick={() => void run('latest')} disabled={act.busy}>
            Latest
          </button>
          <button type="button" onClick={() => void run('down')} disabled={act.busy}>
            Down
          </button>
        </>
      }
    >
      <div className="buttons">
        <ShardSelect value={shard} onChange={setShard} label="Shard" />
        <span className="field">
          <label htmlFor={migrationId}>Migration</label>
          <select id={migrationId} value={migration} onChange={(e) => setMigration(e.target.value)}>
            {(status?.migrations ?? [migration]).map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </span>
        <button type="button" onClick={() => void act.run(() => api('POST', '/lab/v1/migration-drill/faults', { shard, migration }))} disabled={act.busy}>
          Inject fault
        </button>
        <button type="button" onClick={() => void act.run(() => api('DELETE', '/lab/v1/migration-drill/faults'))} disabled={act.busy}>
          Clear faults
        </button>
        <button type="button" onClick={() => void act.run(async () => setProbe(await api<Probe>('POST', '/lab/v1/migration-drill/probe')))} disabled={act.busy}>
          Try the new version's write
        </button>
        <button
          type="button"
          onClick={() => void act.run(async () => setRequests(await api<Requests>('POST', '/lab/v1/migration-drill/requests', {})))}
          disabled={act.busy}
        >
          Send the app's requests
        </button>
      </div>
      <div className="buttons">
        <button type="button" onClick={() => void doCrash('faithful')} disabled={act.busy}>
          Crash — original's lock
        </button>
        <button type="button" onClick={() => void doCrash('advisory')} disabled={act.busy}>
          Crash — advisory lock
        </button>
        <button type="button" onClick={() => void act.run(() => api('POST', '/lab/v1/migration-drill/unlock'))} disabled={act.busy}>
          Unlock (original's way)
        </button>
        <label className="field">
          <input type="checkbox" checked={underLoad} onChange={(e) => setUnderLoad(e.target.checked)} /> under the load test
        </label>
        <button type="button" onClick={() => void lockQueue(null)} disabled={act.busy}>
          Lock queue — plain ALTER
        </button>
        <button type="button" onClick={() => void lockQueue(LOCK_TIMEOUT_MS)} disabled={act.busy}>
          Lock queue — lock_timeout {LOCK_TIMEOUT_MS} ms + retry
        </button>
        <button
          type="button"
          onClick={() =>
            void act.run(async () => {
              setCrash(null);
              setQueue(null);
              setProbe(null);
              setRequests(null);
              await api('DELETE', '/lab/v1/migration-drill');
            })
          }
          disabled={act.busy}
        >
          Reset drill
        </button>
      </div>
      {status && (
        <CompactTable
          className="drill-matrix"
          head={[
            'shard',
            ...status.migrations.map((m) => (
              <span key={m} className="mono">
                {m}
              </span>
            )),
            'lock row (original)',
            'advisory lock (lab)',
            'runner sessions',
          ]}
        >
          {status.shards.map((s) => (
            <tr key={s.shard} data-shard={s.shard} data-applied={s.applied} data-row-lock={rowLock(s.lock)}>
              <th scope="row">{s.shard}</th>
              {s.error ? (
                <td colSpan={status.migrations.length + 3} className="error">
                  {s.error}
                </td>
              ) : (
                <>
                  {s.cells.map((c) => (
                    <td key={c.migration} className={`drill-${c.state}`} data-state={c.state} title={c.error ?? c.run_on ?? ''}>
                      {c.state}
                      {s.faults.includes(c.migration) ? ' ⚑ fault' : ''}
                    </td>
                  ))}
                  <td className={s.lock.row_locked ? 'error' : ''}>{rowLock(s.lock)}</td>
                  <td>{advisoryLock(s.lock)}</td>
                  <td className="mono">{s.lock.runner_pids.length ? s.lock.runner_pids.join(', ') : 'none'}</td>
                </>
              )}
            </tr>
          ))}
        </CompactTable>
      )}
      {lastRun && <RunTable report={lastRun} />}
      {requests && <RequestsTable report={requests} />}
      {crash && (
        <div className="report" aria-live="polite" data-crash-mode={crash.mode}>
          <p>
            <strong>{crash.verdict}</strong> Killed {fmt(crash.killed.length)} runner session(s) inside{' '}
            {[...new Set(crash.killed.map((k) => k.migration ?? '?'))].join(', ') || '–'}.
          </p>
          <CompactTable head={['shard', 'during: lock row / advisory', 'after: lock row / advisory']}>
            {crash.during.map((d, i) => {
              const after = crash.after[i]?.lock;
              return (
                <tr key={d.shard}>
                  <th scope="row">{d.shard}</th>
                  <td>
                    {rowLock(d.lock)} / {advisoryLock(d.lock)}
                  </td>
                  <td>{after ? `${rowLock(after)} / ${advisoryLock(after)}` : '–'}</td>
                </tr>
              );
            })}
          </CompactTable>
        </div>
      )}
      {probe && (
        <div className="report" aria-live="polite">
          <p className="mono">{probe.sql} (rolled back)</p>
          <ul>
            {probe.shards.map((p) => (
              <li key={p.shard} data-probe-shard={p.shard} data-ok={String(p.ok)}>
                {p.ok ? `${p.shard}: ok in ${ms(p.ms)} ms` : <span className="error">{p.error}</span>}
              </li>
            ))}
          </ul>
        </div>
      )}
      {queue && (
        <div className="report" aria-live="polite" data-lock-queue={queue.lock_timeout_ms === null ? 'plain' : 'lock_timeout'}>
          <p>
            <strong>{queue.verdict}</strong>
          </p>
          <p className="muted">
            On {queue.shard}, the long transaction held <code>users</code> for {fmt(queue.hold_ms)} ms. Reads: {fmt(queue.reads.count)}, stalled (≥ 100 ms){' '}
            {fmt(queue.reads.stalled)}, longest {ms(queue.reads.max_ms)} ms, p99 {ms(queue.reads.p99_ms)} ms. The ALTER: {fmt(queue.alter.attempts)} attempt(s),
            through after {ms(queue.alter.waited_ms)} ms, then rolled back.
            {queue.under_load &&
              ` Inside load test ${queue.under_load.run_id.slice(0, 8)}, seconds ${fmt(queue.under_load.from_s)}–${fmt(queue.under_load.to_s)} of its run (marked on its chart).`}
          </p>
          <CompactTable head={['pid', 'who', 'waiting for (pg_blocking_pids)', 'query']}>
            {queue.lock_view.map((v) => (
              <tr key={v.pid} data-role={v.role}>
                <td className="mono">{v.pid}</td>
                <td>{v.role}</td>
                <td className="mono">{v.waiting_for.length ? v.waiting_for.join(', ') : '–'}</td>
                <td className="mono">{v.query}</td>
              </tr>
            ))}
          </CompactTable>
        </div>
      )}
      <ErrorNote error={load.error ?? act.error} />
    </Panel>
  );
}
