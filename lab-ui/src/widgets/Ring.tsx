import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import { api, ApiError, messageOf } from '../api';
import { shardColor } from '../colors';
import { fmt, hex32, pct, signedPct } from '../format';
import { useLive } from '../live';
import type { RingView } from '../types';
import { ErrorNote, Panel } from './common';

const SPACE = 2 ** 32;
const SIZE = 300;
const C = SIZE / 2;
const R = 118;
const TAU = Math.PI * 2;

const angle = (point: number) => (point / SPACE) * TAU - Math.PI / 2;
const at = (a: number, r = R) => [C + r * Math.cos(a), C + r * Math.sin(a)] as const;

function arcPath(a0: number, a1: number): string {
  const [x0, y0] = at(a0);
  const [x1, y1] = at(a1);
  return `M${x0.toFixed(2)},${y0.toFixed(2)} A${R},${R} 0 ${a1 - a0 > Math.PI ? 1 : 0} 1 ${x1.toFixed(2)},${y1.toFixed(2)}`;
}

/** Owned stretches of the circle, adjacent ones of the same owner merged: (previous point, point] belongs to point. */
function arcsOf(points: NonNullable<RingView['points']>): { from: number; to: number; shard: number }[] {
  if (points.length === 0) return [];
  const arcs: { from: number; to: number; shard: number }[] = [];
  let prev = points[points.length - 1]!.point - SPACE;
  for (const p of points) {
    const last = arcs[arcs.length - 1];
    if (last && last.shard === p.shard) last.to = p.point;
    else arcs.push({ from: prev, to: p.point, shard: p.shard });
    prev = p.point;
  }
  return arcs;
}

const reducedMotion = () => window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;

/**
 * The hash ring, drawn from the lab's own computation (`GET /lab/v1/ring`): virtual nodes on a circle, each
 * shard's arcs and share, a key's walk to its owner, and what moves when the shard count changes.
 */
export function Ring({ attrs }: { attrs: Record<string, string> }) {
  const { topology } = useLive();
  const liveShards = topology?.ring.shards?.length ?? topology?.shards.length ?? 5;
  const liveVnodes = topology?.ring.vnodes ?? 150;
  const [shards, setShards] = useState<number | null>(attrs.shards ? Number(attrs.shards) : null);
  const [vnodes, setVnodes] = useState<number | null>(attrs.vnodes ? Number(attrs.vnodes) : null);
  const [strategy, setStrategy] = useState<'md5-ring' | 'modulo'>(attrs.strategy === 'modulo' ? 'modulo' : 'md5-ring');
  const [compareTo, setCompareTo] = useState<number | null>(null);
  const [key, setKey] = useState(attrs.key ?? '');
  const [lookupKey, setLookupKey] = useState<string | null>(null);
  const [view, setView] = useState<RingView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [keyError, setKeyError] = useState<string | null>(null);
  const [marker, setMarker] = useState<number | null>(null);
  const ids = { shards: useId(), vnodes: useId(), strategy: useId(), to: useId(), key: useId() };
  const n = shards ?? liveShards;
  const v = vnodes ?? liveVnodes;
  const to = compareTo ?? n + 1;
  const isLive = shards === null && vnodes === null && strategy === (topology?.ring.strategy ?? 'md5-ring');

  // biome-ignore lint/correctness/useExhaustiveDependencies: the live ring view is fetched again when the ring version changes, which the URL does not show
  useEffect(() => {
    const q = new URLSearchParams({ compare_to: String(to), strategy });
    if (!isLive) {
      q.set('shards', String(n));
      q.set('vnodes', String(v));
    }
    if (lookupKey) q.set('key', lookupKey);
    let current = true;
    const timer = setTimeout(() => {
      api<RingView>('GET', `/lab/v1/ring?${q}`).then(
        (r) => current && (setView(r), setError(null)),
        (err: unknown) => {
          if (!current) return;
          // A key the lab refuses is the key's fault: say so beside it and draw the ring without it, so the
          // controls keep working instead of asking again with the same bad key.
          if (lookupKey && err instanceof ApiError && err.status === 400) {
            setKeyError(messageOf(err));
            setLookupKey(null);
          } else setError(messageOf(err));
        },
      );
    }, 120);
    return () => {
      current = false;
      clearTimeout(timer);
    };
    // The live ring is refetched when the topology's ring version changes.
  }, [n, v, strategy, to, lookupKey, isLive, topology?.ring.version]);

  const animation = useRef<number | null>(null);
  const lookup = view?.lookup ?? null;
  useEffect(() => {
    if (!lookup) return setMarker(null);
    const from = lookup.hash;
    const target = lookup.point ?? lookup.hash;
    const distance = (target - from + SPACE) % SPACE;
    if (reducedMotion() || distance === 0) return setMarker(target);
    const start = performance.now();
    const step = (now: number) => {
      const t = Math.min(1, (now - start) / 900);
      setMarker((from + distance * (1 - (1 - t) ** 3)) % SPACE);
      if (t < 1) animation.current = requestAnimationFrame(step);
    };
    animation.current = requestAnimationFrame(step);
    return () => {
      if (animation.current !== null) cancelAnimationFrame(animation.current);
    };
  }, [lookup]);

  const arcs = useMemo(() => (view?.points ? arcsOf(view.points) : []), [view]);

  function submitKey(e: FormEvent) {
    e.preventDefault();
    setKeyError(null);
    setLookupKey(key.trim() || null);
  }

  const even = view ? 1 / view.shards.length : 0;
  return (
    <Panel title="The hash ring" className="ring">
      <div className="ring-layout">
        <figure className="ring-figure">
          <svg
            viewBox={`0 0 ${SIZE} ${SIZE}`}
            role="img"
            aria-label={
              view
                ? `${view.strategy} ring of ${view.shards.length} shards; shares ${view.shards.map((s, i) => `${s} ${pct(view.shares[i] ?? 0, 1)}`).join(', ')}`
                : 'loading'
            }
          >
            <circle cx={C} cy={C} r={R} fill="none" stroke="#e4e7ec" strokeWidth={20} />
            {view?.strategy === 'modulo' &&
              Array.from({ length: view.shards.length * 12 }, (_, i) => {
                const a0 = (i / (view.shards.length * 12)) * TAU - Math.PI / 2;
                const a1 = ((i + 1) / (view.shards.length * 12)) * TAU - Math.PI / 2;
                return <path key={i} d={arcPath(a0, a1)} stroke={shardColor(view.shards[i % view.shards.length]!)} strokeWidth={20} fill="none" />;
              })}
            {arcs.map((a, i) => (
              <path key={i} d={arcPath(angle(a.from), angle(a.to))} stroke={shardColor(view!.shards[a.shard]!)} strokeWidth={20} fill="none" />
            ))}
            {view?.points &&
              view.points.length <= 2000 &&
              view.points.map((p, i) => {
                const [x0, y0] = at(angle(p.point), R - 12);
                const [x1, y1] = at(angle(p.point), R + 12);
                return <line key={i} x1={x0} y1={y0} x2={x1} y2={y1} stroke="#fff" strokeWidth={0.6} />;
              })}
            {lookup && (
              <>
                <line x1={C} y1={C} x2={at(angle(lookup.hash), R - 14)[0]} y2={at(angle(lookup.hash), R - 14)[1]} stroke="#333" strokeDasharray="3 3" />
                {lookup.point !== null && (
                  <circle
                    cx={at(angle(lookup.point), R + 18)[0]}
                    cy={at(angle(lookup.point), R + 18)[1]}
                    r={4}
                    fill={shardColor(lookup.shard_name)}
                    stroke="#111"
                  />
                )}
              </>
            )}
            {marker !== null && (
              <circle className="ring-marker" cx={at(angle(marker))[0]} cy={at(angle(marker))[1]} r={7} fill="#111" stroke="#fff" strokeWidth={2} />
            )}
            <text x={C} y={C - 6} textAnchor="middle" className="ring-center">
              {view ? (view.strategy === 'modulo' ? 'hash % N' : `${fmt(view.shards.length * (view.vnodes ?? 0))} points`) : '…'}
            </text>
            <text x={C} y={C + 14} textAnchor="middle" className="ring-center small">
              0 … 2³²−1, clockwise from the top
            </text>
          </svg>
          {lookup && (
            <figcaption className="lookup" data-lookup-shard={lookup.shard_name}>
              <span className="mono">{lookup.normalized_key}</span> hashes to {fmt(lookup.hash)} ({hex32(lookup.hash)})
              {lookup.vnode ? (
                <>
                  ; the first virtual node clockwise is <span className="mono">{lookup.vnode}</span>
                </>
              ) : (
                <>
                  ; {fmt(lookup.hash)} mod {view?.shards.length}
                </>
              )}{' '}
              → <strong style={{ color: shardColor(lookup.shard_name) }}>{lookup.shard_name}</strong>
            </figcaption>
          )}
        </figure>
        <div className="ring-controls">
          <form className="row" onSubmit={submitKey}>
            <span className="field grow">
              <label htmlFor={ids.key}>Look up a key (a user id)</label>
              <input
                id={ids.key}
                className="mono"
                value={key}
                onChange={(e) => setKey(e.target.value)}
                placeholder="e.g. 00000000-0000-0000-0000-000000000001"
                spellCheck={false}
              />
            </span>
            <button type="submit">Look up</button>
            <button
              type="button"
              onClick={() => {
                const k = crypto.randomUUID();
                setKey(k);
                setKeyError(null);
                setLookupKey(k);
              }}
            >
              Random key
            </button>
          </form>
          <ErrorNote error={keyError} />
          <div className="row">
            <span className="field">
              <label htmlFor={ids.strategy}>Routing</label>
              <select id={ids.strategy} value={strategy} onChange={(e) => setStrategy(e.target.value as 'md5-ring' | 'modulo')}>
                <option value="md5-ring">consistent-hash ring (md5)</option>
                <option value="modulo">modulo (hash % N)</option>
              </select>
            </span>
            <span className="field">
              <label htmlFor={ids.shards}>Shards</label>
              <input id={ids.shards} type="number" min={1} max={16} value={n} onChange={(e) => setShards(clamp(Number(e.target.value), 1, 16))} />
            </span>
            <span className="field">
              <label htmlFor={ids.to}>Compare with</label>
              <input id={ids.to} type="number" min={1} max={16} value={to} onChange={(e) => setCompareTo(clamp(Number(e.target.value), 1, 16))} />
            </span>
          </div>
          <span className="field">
            <label htmlFor={ids.vnodes}>
              Virtual nodes per shard: <strong>{v}</strong>
            </label>
            <input
              id={ids.vnodes}
              type="range"
              min={1}
              max={500}
              value={v}
              disabled={strategy === 'modulo'}
              onChange={(e) => setVnodes(Number(e.target.value))}
            />
          </span>
          <p className="muted small">
            {isLive ? `This is the ring the lab routes with (version ${topology?.ring.version ?? '?'}).` : 'A hypothetical ring; the live one is unchanged.'}{' '}
            {!isLive && (
              <button
                type="button"
                className="link"
                onClick={() => {
                  setShards(null);
                  setVnodes(null);
                  setCompareTo(null);
                  setStrategy((topology?.ring.strategy as 'md5-ring') ?? 'md5-ring');
                }}
              >
                Back to the live ring
              </button>
            )}
          </p>
          <ErrorNote error={error} />
          {view && (
            <table className="compact shares" aria-label="Share of the hash space per shard">
              <thead>
                <tr>
                  <th scope="col">shard</th>
                  <th scope="col" colSpan={2}>
                    share of the hash space
                  </th>
                  <th scope="col" className="num">
                    vs even ({pct(even, 1)})
                  </th>
                </tr>
              </thead>
              <tbody>
                {view.shards.map((s, i) => (
                  <tr key={s} data-shard={s}>
                    <th scope="row">
                      <span className="swatch" style={{ background: shardColor(s) }} aria-hidden="true" /> {s}
                    </th>
                    <td className="share-bar">
                      <span
                        className="bar"
                        style={{ width: `${Math.min(100, ((view.shares[i] ?? 0) / Math.max(...view.shares)) * 100)}%`, background: shardColor(s) }}
                      />
                    </td>
                    <td className="num">{pct(view.shares[i] ?? 0)}</td>
                    <td className="num">{signedPct((view.shares[i] ?? 0) / even - 1)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {view?.change && (
            <table className="compact movement" aria-label="What moves when the shard count changes">
              <caption>
                Going from {view.shards.length} to {view.change.to_shards} shards, the share of all keys that change shard
              </caption>
              <tbody>
                <tr data-row="ring">
                  <th scope="row">consistent-hash ring</th>
                  <td className="num">{pct(view.change.ring_moved_fraction)}</td>
                </tr>
                <tr data-row="modulo">
                  <th scope="row">modulo</th>
                  <td className="num">{pct(view.change.modulo_moved_fraction)}</td>
                </tr>
                <tr data-row="ideal">
                  <th scope="row">ideal: only the new shard's fair share</th>
                  <td className="num">{pct(view.change.ideal_fraction)}</td>
                </tr>
              </tbody>
            </table>
          )}
        </div>
      </div>
    </Panel>
  );
}

function clamp(x: number, lo: number, hi: number): number {
  return Number.isFinite(x) ? Math.min(hi, Math.max(lo, Math.round(x))) : lo;
}
