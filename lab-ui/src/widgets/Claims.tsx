import { useState } from 'react';
import { api, messageOf } from '../api';
import { useChapter } from '../chapters/chapter-context';
import { fmt, ms, pct } from '../format';
import { useLive, waitForJob, type Live } from '../live';
import type { Claim, Knob, LoadSummary, LoadTestRun, RingView, ShardStats } from '../types';
import { Panel } from './common';

type Measured = { text: string; ok: boolean };

const success = (s: LoadSummary) => (s.requests ? (1 - s.errors / s.requests) * 100 : 0);

/** Runs a load test to its end and answers its summary. */
async function runLoad(scenario: string, duration_s?: number): Promise<{ run: LoadTestRun; s: LoadSummary }> {
  const started = await api<{ id: string }>('POST', '/lab/v1/loadtests', { scenario, ...(duration_s ? { duration_s } : {}) });
  let run: LoadTestRun;
  do {
    await new Promise((r) => setTimeout(r, 1000));
    run = await api<LoadTestRun>('GET', `/lab/v1/loadtests/${started.id}`);
  } while (['preparing', 'running'].includes(run.state));
  if (run.state !== 'finished' || !run.summary) throw new Error(`load test ${run.state}${run.error ? `: ${run.error}` : ''}`);
  return { run, s: run.summary };
}

/** Each measurement runs on this machine now; nothing here is copied from the original's docs. */
async function measure(claim: Claim, live: Live): Promise<string> {
  const m = claim.measure;
  switch (m.kind) {
    case 'shard-count': {
      const t = live.topology;
      if (!t) throw new Error('not connected to the lab yet');
      const ring = t.ring.shards?.length ?? t.shards.length;
      const up = t.shards.filter((s) => s.status === 'up').length;
      return `${ring} shards in the ring (version ${t.ring.version}), ${up} of ${t.shards.length} servers answering.`;
    }
    case 'distribution':
    case 'users-total': {
      const s = await api<ShardStats>('GET', '/api/v1/shards/stats');
      if (s.total_users === 0) return 'No users loaded yet, so nothing to measure — load some first.';
      if (m.kind === 'users-total') return `${fmt(s.total_users)} users on ${s.shard_count} shards.`;
      const shares = s.shards.map((x) => (x.user_count ?? 0) / s.total_users);
      const even = 1 / shares.length;
      const worst = Math.max(...shares.map((x) => Math.abs(x / even - 1)));
      return `Smallest ${pct(Math.min(...shares))}, largest ${pct(Math.max(...shares))} of ${fmt(s.total_users)} users; even would be ${pct(even)}. Worst shard is ${(worst * 100).toFixed(1)} % off an even share.`;
    }
    case 'ring-movement': {
      const v = await api<RingView>('GET', `/lab/v1/ring?shards=${m.from}&compare_to=${m.to}`);
      const c = v.change!;
      return `${m.from} → ${m.to} shards: the ring moves ${pct(c.ring_moved_fraction)} of the keys (modulo would move ${pct(c.modulo_moved_fraction)}; ideal ${pct(c.ideal_fraction)}).`;
    }
    case 'seed-rate': {
      const r = await api<{ job_id: string }>('POST', '/lab/v1/seed', { users: m.users });
      const job = await waitForJob(live, r.job_id);
      if (job.state !== 'succeeded') throw new Error(`seed ${job.state}${job.error ? `: ${job.error.message}` : ''}`);
      const total = await api<ShardStats>('GET', '/api/v1/shards/stats');
      return `Loaded ${fmt(m.users ?? 0)} users in ${job.result?.seconds ?? '?'} s (${fmt(Number(job.result?.rows_per_s ?? 0))} rows/s); the shards now hold ${fmt(total.total_users)}.`;
    }
    case 'loadtest': {
      const { run, s } = await runLoad(m.scenario);
      return `${m.scenario}: ${fmt(Math.round(s.requests_per_s))} req/s, p50 ${ms(s.latency_ms?.p50)} ms, p95 ${ms(s.latency_ms?.p95)} ms, p99 ${ms(s.latency_ms?.p99)} ms, ${success(s).toFixed(2)} % success (${fmt(run.params?.connections ?? 0)} connections).`;
    }
    case 'ab': {
      // Before and after differ in this one knob; whatever it was set to is put back afterwards.
      const was = (await api<{ knobs: Knob[] }>('GET', '/lab/v1/tuning/knobs')).knobs.find((k) => k.name === m.knob);
      const path = `/lab/v1/tuning/knobs/${encodeURIComponent(m.knob)}`;
      const withKnob = async (value: string) => {
        await api('PUT', path, { value });
        return (await runLoad(m.scenario, m.duration_s)).s;
      };
      let a: LoadSummary;
      let b: LoadSummary;
      try {
        a = await withKnob(m.before);
        b = await withKnob(m.after);
      } finally {
        await api('PUT', path, { value: was?.changed ? was.value : null });
      }
      const one = (v: string, s: LoadSummary) =>
        `${m.knob} ${v}: ${fmt(Math.round(s.requests_per_s))} req/s, ${success(s).toFixed(2)} % success, p99 ${ms(s.latency_ms?.p99)} ms`;
      const ratio = a.requests_per_s > 0 ? (b.requests_per_s / a.requests_per_s).toFixed(2) : '–';
      return `${m.scenario}, ${m.duration_s} s each — ${one(m.before, a)}; ${one(m.after, b)}. After ÷ before: ${ratio}× req/s.`;
    }
    default:
      // A chapter written for a newer lab may name a measurement this UI does not know yet.
      throw new Error(`unknown measurement ${(m as { kind: string }).kind}`);
  }
}

/** The original's headline claims, each with a button that measures the same thing here. */
export function Claims() {
  const { chapter } = useChapter();
  const live = useLive();
  const [results, setResults] = useState<Record<string, Measured>>({});
  const [busy, setBusy] = useState<string | null>(null);

  async function run(claim: Claim) {
    setBusy(claim.id);
    try {
      setResults((r) => ({ ...r, [claim.id]: { text: '', ok: true } }));
      const text = await measure(claim, live);
      setResults((r) => ({ ...r, [claim.id]: { text, ok: true } }));
    } catch (err) {
      setResults((r) => ({ ...r, [claim.id]: { text: messageOf(err), ok: false } }));
    } finally {
      setBusy(null);
    }
  }

  return (
    <Panel title="Claimed by the original · measured here" className="claims">
      <div className="table-wrap">
        <table className="claims-table">
          <thead>
            <tr>
              <th scope="col">The claim</th>
              <th scope="col">Claimed by the original</th>
              <th scope="col">Measured here</th>
            </tr>
          </thead>
          <tbody>
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
                    <button type="button" onClick={() => void run(c)} disabled={busy !== null}>
                      {busy === c.id ? 'Measuring…' : 'Measure it here'}
                    </button>
                    {r?.text && (
                      <p className={r.ok ? 'measured' : 'error'} aria-live="polite" data-measured={c.id}>
                        {r.text}
                      </p>
                    )}
                    {c.note && <p className="muted small">{c.note}</p>}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </Panel>
  );
}
