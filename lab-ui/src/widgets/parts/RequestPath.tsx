import { useEffect, useState } from 'react';
import { shardColor } from '../../colors';
import { ms } from '../../format';
import type { Trace } from '../../types';

type Span = Trace['spans'][number];

/** One box of the original's request-flow diagram, with the spans of this request that measured it. */
interface Stage {
  key: string;
  title: string;
  spans: Span[];
  /** What the box says besides its time: the shard, the SQL, the replica. */
  note: string;
  /** A box the request did not pass through (no replica, bad input stopped earlier). */
  absent?: string;
}

/** The first span's start and the last span's end, on the request's time line. */
const extent = (spans: Span[]) => ({
  start: Math.min(...spans.map((s) => s.start_ms)),
  end: Math.max(...spans.map((s) => s.start_ms + s.duration_ms)),
});
const total = (spans: Span[]) => spans.reduce((sum, s) => sum + s.duration_ms, 0);

/** A span's time not spent in its children: what the request did in that box itself. */
function ownMs(span: Span, trace: Trace): number {
  const inside = trace.spans.filter((c) => c.parent_id === span.span_id).reduce((sum, c) => sum + c.duration_ms, 0);
  return Math.max(0, span.duration_ms - inside);
}

/** The original's diagram 4 (prefork worker → parse → handler → id → ring → pool → primary → replica → response), filled from this trace. */
export function stagesOf(trace: Trace): Stage[] {
  const root = trace.spans[0]!;
  const all = (name: string) => trace.spans.filter((s) => s.name === name);
  const starting = (prefix: string) => trace.spans.filter((s) => s.name.startsWith(prefix));
  const ring = all('ring lookup');
  const queries = all('query');
  const shards = new Set(starting('shard-').map((s) => String(s.attributes['lab.shard'])));
  const replication = starting('replication to ');
  const sql = queries.map((q) => String(q.attributes['db.query.text'] ?? '').split(' ')[0]).join(', ');
  const pid = root.attributes['process.pid'];
  const status = trace.status_code ?? '?';
  const early = status === 400;
  const stopped = early ? 'bad input stopped at validation' : 'not on this request’s path';
  const stages: Stage[] = [
    { key: 'api', title: 'API process', spans: [root], note: `${trace.name}${pid === undefined ? '' : ` · pid ${pid}`}` },
    { key: 'parse', title: 'parse JSON', spans: all('parse JSON body'), note: '', absent: 'the lean read path parses no body' },
    { key: 'validate', title: 'validate', spans: all('validate (zod)'), note: 'zod, at the edge', absent: 'the lean read path checks the id itself' },
    { key: 'handler', title: 'handler → service', spans: starting('handler '), note: '', absent: 'the lean read path calls the service directly' },
    {
      key: 'mint',
      title: 'mint id (UUIDv7)',
      spans: all('mint id (UUIDv7)'),
      note: String(all('mint id (UUIDv7)')[0]?.attributes['lab.id'] ?? ''),
      absent: early ? stopped : 'only a creation mints an id',
    },
    {
      key: 'ring',
      title: 'ring: md5 → vnode → shard',
      spans: ring,
      note:
        ring.length === 1
          ? `${ring[0]!.attributes['lab.ring.hash']} → ${ring[0]!.attributes['lab.ring.vnode'] || 'modulo'} → ${ring[0]!.attributes['lab.shard']}`
          : '',
      absent: early ? stopped : 'no id: every shard is asked',
    },
    { key: 'pool', title: 'pool wait', spans: all('pool wait'), note: 'a pg pool here, PgBouncer in the original', absent: stopped },
    {
      key: 'primary',
      title:
        shards.size === 1 ? `${[...shards][0]} ${starting('shard-')[0]?.attributes['lab.role'] ?? ''}` : shards.size > 1 ? `${shards.size} shards` : 'shard',
      spans: queries,
      note: queries.length ? `${queries.length} statement${queries.length === 1 ? '' : 's'}: ${sql}` : '',
      absent: stopped,
    },
    {
      key: 'replica',
      title: replication[0]?.name.replace('replication to ', '') ?? 'replica',
      spans: replication,
      note: replication[0]?.attributes['lab.replication.caught_up'] === false ? 'not replayed within 2 s' : 'replayed the commit (async)',
      absent: early ? stopped : 'no replica streams from this shard (add one in the topology panel), or nothing was written',
    },
    { key: 'response', title: `response ${status}`, spans: all('response'), note: '' },
  ];
  return stages;
}

/** How long a box stays lit: its own share of the request's time over a few seconds, never too short to see. */
const dwellMs = (stage: Stage, trace: Trace, whole: number) =>
  stage.spans.length === 0 ? 0 : Math.max(350, (stage.spans.reduce((sum, s) => sum + ownMs(s, trace), 0) / whole) * 4_000);

/**
 * The original's diagram 4 animated with this request's numbers: each box lights up in turn for a time in
 * proportion to its measured spans, with the request's clock at that box.
 */
export function RequestPath({ trace }: { trace: Trace }) {
  const stages = stagesOf(trace);
  const [step, setStep] = useState(0);
  const [run, setRun] = useState(0);
  const whole = Math.max(...stages.flatMap((s) => s.spans.map((x) => x.start_ms + x.duration_ms)), 0.001);
  // biome-ignore lint/correctness/useExhaustiveDependencies: restarts for a new trace or a replay, not for each render's stages
  useEffect(() => {
    let i = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const next = () => {
      while (i < stages.length && stages[i]!.spans.length === 0) i++;
      setStep(i);
      if (i >= stages.length) return;
      const wait = dwellMs(stages[i]!, trace, whole);
      i++;
      timer = setTimeout(next, wait);
    };
    next();
    return () => clearTimeout(timer);
  }, [trace.trace_id, run]);
  const lit = stages[step];
  return (
    <figure className="request-path" data-trace={trace.trace_id} data-step={lit?.key ?? 'done'}>
      <ol>
        {stages.map((s, i) => {
          const span = s.spans.length ? extent(s.spans) : null;
          const shard = s.key === 'primary' || s.key === 'replica' ? /^shard-\d+/.exec(s.title)?.[0] : undefined;
          return (
            <li
              key={s.key}
              data-stage={s.key}
              data-ms={span ? total(s.spans) : undefined}
              className={[s.spans.length ? '' : 'absent', i === step ? 'lit' : '', i < step ? 'passed' : ''].join(' ').trim() || undefined}
              style={shard ? { borderColor: shardColor(shard) } : undefined}
            >
              <strong>{s.title}</strong>
              {span ? (
                <span className="num">
                  {ms(total(s.spans))} ms{s.spans.length > 1 ? ` (${s.spans.length}×)` : ''}
                </span>
              ) : (
                <span className="muted small">{s.absent ?? 'not measured'}</span>
              )}
              {span && s.spans.length === 1 && ownMs(s.spans[0]!, trace) < s.spans[0]!.duration_ms && (
                <span className="muted small">{ms(ownMs(s.spans[0]!, trace))} ms of it here, the rest in the boxes after it</span>
              )}
              {span && s.note && <span className="muted small">{s.note}</span>}
              {span && <span className="muted small">at {ms(span.start)} ms</span>}
            </li>
          );
        })}
      </ol>
      <figcaption className="small">
        {lit ? (
          <>
            Now: <strong>{lit.title}</strong>, {ms(total(lit.spans))} ms, from {ms(extent(lit.spans).start)} ms after the request arrived.
          </>
        ) : (
          <>
            The whole request: {ms(trace.duration_ms)} ms to the response
            {stages[8]!.spans.length ? `, ${ms(whole)} ms until the replica had it` : ''}. The original wrote “~2 ms”.
          </>
        )}{' '}
        <button type="button" onClick={() => setRun((n) => n + 1)}>
          Replay
        </button>
      </figcaption>
    </figure>
  );
}
