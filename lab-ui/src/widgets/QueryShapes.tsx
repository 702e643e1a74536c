import { useEffect, useState } from 'react';
import { api } from '../api';
import { fmt, signedPct } from '../format';
import type { components } from '../generated/api';
import { ActionForm, ErrorNote, NumberField, Panel, useAction } from './common';
import { CompactTable } from './parts/CompactTable';
import { num } from './parts/TableHead';

type Trial = components['schemas']['QueryShapesTrial'];
type Side = Trial['pairs'][number]['tuned'];

const us = (x: number) => `${fmt(Math.round(x))} µs`;

/**
 * The original's per-query claims, one pair of statements at a time on one shard (POST /lab/v1/tuning/query-shapes):
 * both sides' medians, how much faster the tuned shape is, beside the claim. `::query-shapes{shard=shard-0}`.
 */
export default function QueryShapes({ attrs }: { attrs: Record<string, string> }) {
  const [rounds, setRounds] = useState('200');
  const [trial, setTrial] = useState<Trial | null>(null);
  const last = useAction(async () => setTrial((await api<{ result: Trial | null }>('GET', '/lab/v1/tuning/query-shapes')).result));
  const run = useAction(async () => setTrial(await api<Trial>('POST', '/lab/v1/tuning/query-shapes', { shard: attrs.shard, rounds: Number(rounds) })));
  // biome-ignore lint/correctness/useExhaustiveDependencies: one first load; last is a new object each render
  useEffect(() => {
    void last.run();
  }, []);
  const side = (s: Side) => (
    <>
      <td>
        <code title={s.sql}>{s.shape}</code>
      </td>
      <td className="num">{us(s.p50_us)}</td>
    </>
  );
  return (
    <Panel title="Query shape, measured" className="query-shapes">
      <ActionForm onSubmit={() => void run.run()}>
        <NumberField label="Rounds per side" value={rounds} onChange={setRounds} min={5} max={5000} />
        <button type="submit" disabled={run.busy}>
          {run.busy ? 'Measuring…' : 'Measure the four pairs'}
        </button>
      </ActionForm>
      <ErrorNote error={last.error ?? run.error} />
      {trial && (
        <>
          <CompactTable
            label="Query shapes"
            head={[
              'pair',
              'GORM default',
              num('p50'),
              'tuned',
              num('p50'),
              num('faster by', 'how much faster the tuned shape is: (default p50 ÷ tuned p50 − 1) × 100'),
              'claimed',
            ]}
          >
            {trial.pairs.map((p) => (
              <tr key={p.pair} data-pair={p.pair} data-change={p.change_pct}>
                <th scope="row">{p.pair}</th>
                {side(p.gorm_default)}
                {side(p.tuned)}
                <td className="num">{signedPct(p.change_pct / 100)}</td>
                <td>{p.claimed.text}</td>
              </tr>
            ))}
          </CompactTable>
          <p className="small">
            {trial.shard}, {fmt(trial.rounds)} rounds per side after {trial.warmup} warm-up rounds, the sides alternating; medians compared.{' '}
            {fmt(trial.rows_written)} users written, {trial.rows_left} left. Hover a shape for its SQL.
          </p>
        </>
      )}
    </Panel>
  );
}
