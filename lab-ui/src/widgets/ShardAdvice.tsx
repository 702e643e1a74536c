import { useState } from 'react';
import { api } from '../api';
import { fmt } from '../format';
import type { ShardAdvice } from '../types';
import { ErrorNote, NumberField, Panel, useAction } from './common';

/** Should you shard? The learner's numbers against this lab's measured ceilings (POST /lab/v1/shard-advice), the tree walked step by step. */
export function ShardAdviceWidget({ attrs }: { attrs: Record<string, string> }) {
  const [users, setUsers] = useState(attrs.users ?? '1000000');
  const [writes, setWrites] = useState(attrs.writes ?? '2000');
  const [reads, setReads] = useState(attrs.reads ?? '8000');
  const [growth, setGrowth] = useState(attrs.growth ?? '0');
  const [months, setMonths] = useState(attrs.months ?? '12');
  const [dataGb, setDataGb] = useState('');
  const [advice, setAdvice] = useState<ShardAdvice | null>(null);
  const run = useAction(async () =>
    setAdvice(
      await api<ShardAdvice>('POST', '/lab/v1/shard-advice', {
        users: Number(users),
        writes_per_s: Number(writes),
        reads_per_s: Number(reads),
        growth_percent_per_month: Number(growth),
        months: Number(months),
        ...(dataGb === '' ? {} : { data_gb: Number(dataGb) }),
      }),
    ),
  );
  return (
    <Panel title="Should you shard?" className="shard-advice">
      <div className="row">
        <NumberField label="users" value={users} onChange={setUsers} min={0} max={1e11} />
        <NumberField label="writes/s at peak" value={writes} onChange={setWrites} min={0} max={1e9} />
        <NumberField label="reads/s at peak" value={reads} onChange={setReads} min={0} max={1e10} />
      </div>
      <div className="row">
        <NumberField label="growth, % a month" value={growth} onChange={setGrowth} min={0} max={1000} />
        <NumberField label="months ahead" value={months} onChange={setMonths} min={0} max={120} />
        <NumberField label="data today, GB" value={dataGb} onChange={setDataGb} min={0} max={1e7} placeholder="measured per user" />
        <button type="button" className="primary" onClick={() => void run.run()} disabled={run.busy}>
          {run.busy ? 'Measuring this lab…' : 'Decide'}
        </button>
      </div>
      <ErrorNote error={run.error} />
      {advice && (
        <div data-verdict={advice.verdict} data-shards={advice.shards} aria-live="polite">
          <p className="small">
            Measured just now on {advice.measured.shard}: <strong>{fmt(advice.measured.writes_per_s)}</strong> committed inserts/s and{' '}
            <strong>{fmt(advice.measured.reads_per_s)}</strong> primary-key reads/s
            {advice.measured.bytes_per_user === null ? '' : `, ${fmt(advice.measured.bytes_per_user)} bytes per user`}. A server is planned at{' '}
            {advice.headroom * 100} % of its ceiling. This machine runs every server on the same cores; a dedicated server takes more.
          </p>
          <ol className="small shard-advice-steps">
            {advice.steps.map((s) => (
              <li key={s.question}>
                <strong>{s.question}</strong> <span className="muted">{s.numbers}</span>
                <br />→ {s.answer}
              </li>
            ))}
          </ol>
          <p>
            Verdict: <strong>{advice.verdict}</strong>
            {advice.verdict === 'shard' ? ` — ${advice.shards} shards` : ''}
            {advice.replicas_per_shard > 0 ? `, ${advice.replicas_per_shard} replica${advice.replicas_per_shard === 1 ? '' : 's'} per shard` : ''}. The
            original's table for {fmt(advice.projected.users)} users: <em>{advice.original_row}</em>.
          </p>
        </div>
      )}
    </Panel>
  );
}
