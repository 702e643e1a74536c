import { useState, type FormEvent } from 'react';
import { request } from '../api';
import { shardColor } from '../colors';
import { fmt, hex32 } from '../format';
import type { Route } from '../types';
import { ErrorNote, NewUserForm, Panel, useAction } from './common';

interface Created {
  id: string;
  first_name: string;
  last_name: string;
  shard: string;
  route: Route;
}

/** Creates a user through the messenger API and shows where it went and why. */
export function CreateUser({ attrs }: { attrs: Record<string, string> }) {
  const [first, setFirst] = useState(attrs.first ?? '');
  const [last, setLast] = useState(attrs.last ?? '');
  const [created, setCreated] = useState<Created[]>([]);
  const create = useAction(async (e: FormEvent) => {
    e.preventDefault();
    const r = await request<{ id: string; first_name: string; last_name: string }>('POST', '/api/v1/users', { first_name: first, last_name: last });
    const route = (await request<Route>('GET', `/lab/v1/route?key=${r.body.id}`)).body;
    setCreated((c) => [{ ...r.body, shard: r.headers.get('x-lab-shard') ?? route.shard_name, route }, ...c].slice(0, 5));
  });
  return (
    <Panel title="Create a user" className="create-user">
      <NewUserForm first={first} last={last} onFirst={setFirst} onLast={setLast} onSubmit={(e) => void create.run(e)} busy={create.busy} primary />
      <ErrorNote error={create.error} />
      {created.length > 0 && (
        <ul className="created" aria-live="polite">
          {created.map((u) => (
            <li key={u.id} data-user={u.id} data-shard={u.shard}>
              <strong>
                {u.first_name} {u.last_name}
              </strong>{' '}
              <span className="mono">{u.id}</span> → stored on <strong style={{ color: shardColor(u.shard) }}>{u.shard}</strong>
              <span className="muted small">
                {' '}
                (POST /api/v1/users answered 201 with <code>X-Lab-Shard: {u.shard}</code>; hash {fmt(u.route.hash)} = {hex32(u.route.hash)}
                {u.route.vnode ? `, first virtual node clockwise: ${u.route.vnode}` : ''})
              </span>
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}
