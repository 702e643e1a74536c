import { useCallback, useState } from 'react';
import { api } from '../api';
import { fmt } from '../format';
import type { components } from '../generated/api';
import { ErrorNote, Panel, useAction, usePolled } from './common';

type ConstraintMap = components['schemas']['ConstraintMap'];
type CrossShard = ConstraintMap['cross_shard'][number];
type FkDemoResult = components['schemas']['FkDemoResult'];
type RaceResult = components['schemas']['RaceResult'];
type OutboxDrill = components['schemas']['OutboxDrill'];
type UsernameRace = components['schemas']['UsernameRace'];
type SampleConversation = components['schemas']['SampleConversation'];
type ClaimWalkthrough = components['schemas']['ClaimWalkthrough'];

/** The catalog changes only with a migration; a slow refresh keeps a half-applied one visible. */
const REFRESH_MS = 10_000;

/** One line on what breaking the reference did, from the route's own answer. */
function outcome(path: string, body: unknown): string {
  if (path.endsWith('/fk-demo')) {
    const r = body as FkDemoResult;
    return r.error ? `PostgreSQL refused: ${r.error.message} (SQLSTATE ${r.error.sqlstate})` : 'went through';
  }
  if (path.endsWith('/race')) {
    const r = body as RaceResult;
    return `${fmt(r.rounds)} naive rounds: ${fmt(r.created)} written, ${fmt(r.orphans)} orphan(s)`;
  }
  if (path.endsWith('/outbox-drill')) {
    const r = body as OutboxDrill;
    return `the event failed ${fmt(r.while_down.attempts)} time(s) while ${r.conversation_shard} was down, then was delivered: ${fmt(r.orphans)} orphan(s)`;
  }
  if (path.endsWith('/claim-walkthrough')) {
    const r = body as ClaimWalkthrough;
    return `the first sign-up died after its claim; ${r.settled ? `“${r.username}” settled on the ${r.holder} user's account, the dead one fenced` : `${fmt(r.accounts_with_name)} account(s) carry “${r.username}”`}`;
  }
  if (path.endsWith('/username-race')) {
    const r = body as UsernameRace;
    return `${fmt(r.claims)} claims on ${r.lookup_shard}: ${fmt(r.won)} won, ${fmt(r.conflicts)} refused`;
  }
  const r = body as SampleConversation;
  return `“Copied title” is now on ${r.conversation_shard} and copied into the inboxes on ${r.member_shards.join(', ')}`;
}

/** One reference no catalog holds: what keeps it, and the button that breaks it on purpose. */
function CrossShardRow({ x, onBreak, busy, broke }: { x: CrossShard; onBreak(): void; busy: boolean; broke: string | undefined }) {
  return (
    <tr data-kept-by={x.kept_by}>
      <td>{x.reference}</td>
      <td>
        <strong>{x.kept_by}</strong>
      </td>
      <td>{x.how}</td>
      <td>
        <button type="button" onClick={onBreak} disabled={busy}>
          Break it
        </button>
        {broke && <p aria-live="polite">{broke}</p>}
      </td>
    </tr>
  );
}

/**
 * The constraint explorer (GET /lab/v1/references/constraints): what each shard's catalog enforces, with its
 * ON DELETE / ON UPDATE actions, and every cross-shard reference with what keeps it and a button that breaks it.
 */
export function ConstraintExplorer() {
  const [map, setMap] = useState<ConstraintMap | null>(null);
  const [all, setAll] = useState(false);
  const [broke, setBroke] = useState<Record<string, string>>({});
  const refresh = useCallback(async () => setMap(await api<ConstraintMap>('GET', '/lab/v1/references/constraints')), []);
  const load = usePolled(refresh, REFRESH_MS);
  const breakIt = useAction(async (x: CrossShard) => {
    const body = await api<unknown>(x.break_it.method, x.break_it.path, x.break_it.body);
    setBroke((b) => ({ ...b, [x.reference]: outcome(x.break_it.path, body) }));
  });
  const shardCount = map ? new Set(map.constraints.flatMap((c) => c.shards)).size : 0;
  const shown = map?.constraints.filter((c) => all || c.type === 'foreign key') ?? [];
  return (
    <Panel title="Constraint explorer" className="constraint-explorer">
      <ErrorNote error={load.error ?? breakIt.error} />
      {map && map.unreachable.length > 0 && <p className="bad">Not read: {map.unreachable.join(', ')} did not answer.</p>}
      <label className="row">
        <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} /> unique, primary key and check constraints too
      </label>
      {map && (
        <div className="table-wrap">
          <table data-constraints={shown.length}>
            <caption>In the catalogs (pg_constraint): what each shard's own PostgreSQL enforces</caption>
            <thead>
              <tr>
                <th>table</th>
                <th>constraint</th>
                <th>columns</th>
                <th>references</th>
                <th>on delete</th>
                <th>on update</th>
                <th>shards</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((c) => (
                <tr key={`${c.table}.${c.name}.${c.shards[0]}`} title={c.definition}>
                  <td>{c.table}</td>
                  <td className="mono">
                    {c.name}
                    {c.type === 'foreign key' ? '' : ` (${c.type})`}
                  </td>
                  <td>{c.columns.join(', ')}</td>
                  <td>{c.references ? `${c.references.table} (${c.references.columns.join(', ')})` : ''}</td>
                  <td>{c.on_delete ?? ''}</td>
                  <td>{c.on_update ?? ''}</td>
                  <td className={c.shards.length === shardCount ? undefined : 'bad'}>
                    {c.shards.length === shardCount ? `all ${fmt(shardCount)}` : c.shards.join(', ')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {map && (
        <div className="table-wrap">
          <table data-cross-shard>
            <caption>Across shards: no catalog holds these</caption>
            <thead>
              <tr>
                <th>reference</th>
                <th>kept by</th>
                <th>how</th>
                <th>break it</th>
              </tr>
            </thead>
            <tbody>
              {map.cross_shard.map((x) => (
                <CrossShardRow key={x.reference} x={x} onBreak={() => void breakIt.run(x)} busy={breakIt.busy} broke={broke[x.reference]} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}
