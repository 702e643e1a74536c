import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { api } from '../api';
import { shardColor } from '../colors';
import { useLive } from '../live';
import type { KeyFate } from '../types';
import { ErrorNote, Panel, useAction } from './common';

const VERDICT: Record<KeyFate['verdict'], string> = {
  routed: 'Its row is on that shard: a read by id finds it.',
  misplaced: 'Its row is on another shard: the ring sends reads where the row is not — a resize that moved nothing.',
  absent: 'No shard holds a users row with this id.',
};

/**
 * The key-fate tracer (GET /lab/v1/ids/:id/fate): one id followed through every ring version — hash, virtual
 * node, shard and primary server at each, the versions where it moved — and which shard holds its row now.
 * It follows again by itself when the ring changes (a reshard, a promotion) while it is open.
 */
export function KeyFateWidget({ attrs }: { attrs: Record<string, string> }) {
  const [id, setId] = useState(attrs.id ?? '');
  const [fate, setFate] = useState<KeyFate | null>(null);
  const input = useId();
  const { topology } = useLive();
  const follow = useAction(async (raw: string) => setFate(await api<KeyFate>('GET', `/lab/v1/ids/${encodeURIComponent(raw.trim())}/fate`)));
  const newest = useAction(async () => {
    const page = await api<{ data: { id: string }[] }>('GET', '/api/v1/users?limit=1');
    const first = page.data[0];
    if (!first) throw new Error('There are no users yet: create one first.');
    setId(first.id);
    await follow.run(first.id);
  });
  const version = topology?.ring.version;
  const followed = useRef<string | null>(null);
  followed.current = fate?.key ?? null;
  // biome-ignore lint/correctness/useExhaustiveDependencies: follow again only when the ring version changes; follow is a new object each render
  useEffect(() => {
    if (followed.current) void follow.run(followed.current);
  }, [version]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void follow.run(id);
  };
  const holders = fate?.rows.filter((r) => r.found).map((r) => r.shard) ?? [];
  return (
    <Panel title="Key fate" className="key-fate">
      <form className="row" onSubmit={submit}>
        <span className="field grow">
          <label htmlFor={input}>A user id (paste one, or take the newest user's)</label>
          <input id={input} className="mono" value={id} onChange={(e) => setId(e.target.value)} autoComplete="off" />
        </span>
        <button type="submit" className="primary" disabled={follow.busy || !id.trim()}>
          Follow
        </button>
        <button type="button" onClick={() => void newest.run()} disabled={newest.busy}>
          Newest user's id
        </button>
      </form>
      <ErrorNote error={follow.error ?? newest.error} />
      {fate && (
        <div data-verdict={fate.verdict} data-moves={fate.moves}>
          <p className="small">
            <span className="mono">{fate.key}</span> → hash <span className="mono">{fate.hash}</span>:{' '}
            {fate.moves === 0 ? 'it never changed shard.' : `it changed shard ${fate.moves} time${fate.moves === 1 ? '' : 's'}.`}
          </p>
          <table className="small fate-steps">
            <thead>
              <tr>
                <th>ring</th>
                <th>shards</th>
                <th>virtual node</th>
                <th>shard</th>
                <th>primary port</th>
                <th>why the ring changed</th>
              </tr>
            </thead>
            <tbody>
              {fate.steps.map((s) => (
                <tr key={s.version} className={s.moved ? 'fate-moved' : undefined} data-version={s.version}>
                  <td className="num">v{s.version}</td>
                  <td className="num">
                    {s.shard_count}
                    {s.vnodes ? ` × ${s.vnodes}` : ''}
                  </td>
                  <td className="mono">{s.vnode ?? s.strategy}</td>
                  <td>
                    <strong style={{ color: shardColor(s.shard) }}>{s.shard}</strong>
                    {s.moved && ' ← moved here'}
                    {s.server_changed && ' (new primary)'}
                  </td>
                  <td className="num">{s.port ?? '–'}</td>
                  <td>
                    {s.reason} <span className="muted">{s.created_at.slice(11, 19)}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="small" aria-live="polite">
            Now: <strong style={{ color: shardColor(fate.now.shard) }}>{fate.now.shard}</strong>, primary on port {fate.now.port ?? '–'}
            {fate.now.replica_port === null ? ', no replica' : `, replica on port ${fate.now.replica_port}`}. Row found on{' '}
            {holders.length > 0 ? holders.join(', ') : 'no shard'}. {VERDICT[fate.verdict]}
          </p>
          <h4>Requests for this id that waited at the write gate</h4>
          {fate.paused.length === 0 ? (
            <p className="muted small">
              None so far. Writes to an id wait only while its arc is fenced: a rebalancing reshard's verify and cutover pauses, or a promotion.
            </p>
          ) : (
            <table className="small key-fate-paused">
              <thead>
                <tr>
                  <th>paused at</th>
                  <th>request</th>
                  <th className="num">waited ms</th>
                  <th>shard before → after</th>
                  <th>served by</th>
                </tr>
              </thead>
              <tbody>
                {fate.paused.map((p) => (
                  <tr key={`${p.paused_at}-${p.request}`} data-waited={p.waited_ms}>
                    <td>{p.paused_at.slice(11, 23)}</td>
                    <td>
                      <code>{p.request ?? 'a write outside HTTP'}</code>
                    </td>
                    <td className="num">{p.waited_ms}</td>
                    <td>
                      {p.shards_before.join(', ')} → {p.shards_after.join(', ')}
                    </td>
                    <td>{p.process}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
    </Panel>
  );
}
