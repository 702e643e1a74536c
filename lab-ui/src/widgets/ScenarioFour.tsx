import { useCallback, useState } from 'react';
import { api } from '../api';
import { fmt, ms } from '../format';
import type { LoadTestRun } from '../types';
import { ActionForm, ErrorNote, NumberField, Panel, useAction, usePolled } from './common';
import { CpuSplitTable } from './parts/CpuSplit';
import { CompactTable } from './parts/CompactTable';

/** The original's scenario 4: 10,000 users, one request a second each, 80 % reads. */
const SCENARIO = '10k';
const RATE = 10_000;
const active = (r: LoadTestRun | null) => r !== null && ['preparing', 'running'].includes(r.state);

/**
 * Scenario 4 run here: the original's claimed table beside this machine's numbers, and where the CPU went
 * (load generator, API processes, database servers, other programs) — which part is the limit.
 */
export function ScenarioFour() {
  const [seconds, setSeconds] = useState('60');
  const [run, setRun] = useState<LoadTestRun | null>(null);
  const refresh = useCallback(async () => {
    const { runs } = await api<{ runs: LoadTestRun[] }>('GET', '/lab/v1/loadtests');
    // A run killed at its hard limit still measured its CPU until then: shown, with its failure.
    const mine = runs.find((r) => r.params.scenario === SCENARIO && (active(r) || (['finished', 'failed'].includes(r.state) && r.summary)));
    setRun(mine ?? null);
  }, []);
  const load = usePolled(refresh, 2_000);
  const start = useAction(async () => {
    const r = await api<{ id: string; run: LoadTestRun }>('POST', '/lab/v1/loadtests', { scenario: SCENARIO, rate: RATE, duration_s: Number(seconds) });
    setRun(r.run);
  });
  const s = run && !active(run) ? run.summary : null;
  const p = run?.progress;
  const success = s && s.requests > 0 ? (1 - s.errors / s.requests) * 100 : null;
  const rows: [string, string, string][] = [
    ['users (connections)', '10,000', run ? fmt(run.params.connections) : '–'],
    ['offered load', '10,000 req/s (1 per user per second)', run?.params.rate ? `${fmt(run.params.rate)} req/s` : '–'],
    ['duration', '60 s', run ? `${run.params.duration_s} s` : '–'],
    ['requests', '600,000', s ? fmt(s.requests) : '–'],
    ['served per second', '10,000', s ? fmt(Math.round(s.requests_per_s)) : '–'],
    ['success', '100 %', success === null ? '–' : `${success.toFixed(2)} %`],
    ['typical latency', 'mean 2 ms', s?.latency_ms ? `p50 ${ms(s.latency_ms.p50)} ms` : '–'],
    ['p99 latency', '15 ms', s?.latency_ms ? `${ms(s.latency_ms.p99)} ms` : '–'],
  ];
  return (
    <Panel title="Scenario 4: 10,000 users" className="scenario-four">
      <ActionForm onSubmit={() => void start.run()}>
        <NumberField label="Seconds" value={seconds} onChange={setSeconds} min={5} max={60} />
        <button type="submit" className="primary" disabled={start.busy || active(run)}>
          Run scenario 4
        </button>
        <span className="muted small">
          10,000 connections paced to {fmt(RATE)} requests/s in all: 80 % reads by id, 10 % creates, 10 % updates (`loadtest 10k --rate {RATE}`).
        </span>
      </ActionForm>
      <ErrorNote
        error={
          start.error ??
          load.error ??
          (run?.state === 'failed' ? `Run ${run.id.slice(0, 8)} failed: ${run.error ?? 'no reason given'}. Its numbers are what it did until then.` : null)
        }
      />
      {active(run) && (
        <p className="small" aria-live="polite">
          Run {run!.id.slice(0, 8)} {run!.state}
          {p ? `: ${p.elapsed_s} of ${p.duration_s} s, ${fmt(p.requests)} requests, ${fmt(Math.round(p.requests_per_s))} req/s in the last second` : '…'}
        </p>
      )}
      <CompactTable
        label="The original's claimed table beside this machine's measurement"
        head={['', "the original's claim", s ? `measured here (run ${run!.id.slice(0, 8)})` : 'measured here']}
      >
        {rows.map(([what, claimed, measured]) => (
          <tr key={what}>
            <th scope="row">{what}</th>
            <td>{claimed}</td>
            <td className="num">{measured}</td>
          </tr>
        ))}
      </CompactTable>
      {s?.cpu ? <CpuSplitTable cpu={s.cpu} /> : s && <p className="muted small">This run has no CPU split: it needs Linux's /proc.</p>}
    </Panel>
  );
}
