import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { api, messageOf, request } from '../api';
import { shardColor } from '../colors';
import type { components } from '../generated/api';
import type { Body } from '../types';
import { ErrorNote, NewUserForm, Panel, useAction } from './common';
import { conversationDiagram, type ConversationMap } from './conversation-diagram';
import { renderMermaid } from './mermaid';

type Schemas = components['schemas'];
type OutboxBacklog = Body<'/lab/v1/outbox', 'get'>;
interface KnownUser {
  id: string;
  name: string;
  shard: string;
}

const Shard = ({ name }: { name: string }) => (
  <strong className="shard-tag" style={{ color: shardColor(name) }}>
    {name}
  </strong>
);
const tail = (id: string) => `…${id.slice(-6)}`;
/** How long a delete's cleanup is followed before the panel stops polling the outbox. */
const FOLLOW_MS = 30_000;

/**
 * The messenger in the browser, through its own API: users, a conversation with members on several shards,
 * messages, an inbox, a username — every row labelled with its shard and the key that chose it — and the
 * conversation's rows as a live diagram read from the shards (GET /lab/v1/references/conversations/:id).
 */
export function Messenger({ attrs }: { attrs: Record<string, string> }) {
  const [users, setUsers] = useState<KnownUser[]>([]);
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [first, setFirst] = useState('');
  const [last, setLast] = useState('');
  const [title, setTitle] = useState(attrs.title ?? 'Analytical Engine');
  const [conversation, setConversation] = useState<string>('');
  const [map, setMap] = useState<ConversationMap | null>(null);
  const [svg, setSvg] = useState<string | null>(null);
  const [drawError, setDrawError] = useState<string | null>(null);
  const [sender, setSender] = useState('');
  const [text, setText] = useState('');
  const [inbox, setInbox] = useState<{ user: KnownUser; entries: Schemas['InboxEntry'][] } | null>(null);
  const [username, setUsername] = useState('');
  const [owner, setOwner] = useState('');
  const [holders, setHolders] = useState<Schemas['NameHolders'] | null>(null);
  const [outbox, setOutbox] = useState<OutboxBacklog | null>(null);
  const [audit, setAudit] = useState<Schemas['ReferenceAudit'] | null>(null);
  const [raceName, setRaceName] = useState('babbage');
  const [nameRace, setNameRace] = useState<Schemas['UsernameRace'] | null>(null);
  const ids = { race: useId(), owner: useId(), title: useId(), conv: useId(), sender: useId(), text: useId(), name: useId() };

  const known = (list: KnownUser[]) => setUsers((u) => [...u.filter((x) => !list.some((y) => y.id === x.id)), ...list]);
  const loadMap = useCallback(async (id: string) => {
    if (!id) return;
    const m = await api<ConversationMap>('GET', `/lab/v1/references/conversations/${encodeURIComponent(id)}`);
    setMap(m);
    setSender((s) => (m.members.some((x) => x.user_id === s && x.user_exists) ? s : (m.members.find((x) => x.user_exists)?.user_id ?? '')));
  }, []);
  useEffect(() => {
    if (!map) return;
    let current = true;
    renderMermaid(conversationDiagram(map)).then(
      (out) => current && (setSvg(out), setDrawError(null)),
      (err: unknown) => current && setDrawError(messageOf(err)),
    );
    return () => {
      current = false;
    };
  }, [map]);

  const open = async (id: string) => {
    setConversation(id);
    await loadMap(id);
  };

  const create = useAction(async (e: FormEvent) => {
    e.preventDefault();
    const r = await request<Schemas['User']>('POST', '/api/v1/users', { first_name: first, last_name: last });
    known([{ id: r.body.id, name: `${r.body.first_name} ${r.body.last_name}`, shard: r.headers.get('x-lab-shard') ?? '?' }]);
    setPicked((p) => new Set(p).add(r.body.id));
  });
  const sample = useAction(async () => {
    const s = await api<Schemas['SampleConversation']>('POST', '/lab/v1/references/sample-conversation', { title, shards: 3 });
    known(s.members.map((m) => ({ id: m.user_id, name: m.name, shard: m.shard })));
    await open(s.conversation_id);
  });
  const start = useAction(async (e: FormEvent) => {
    e.preventDefault();
    const c = await api<Schemas['Conversation']>('POST', '/api/v1/conversations', { title, member_ids: [...picked] });
    await open(c.id);
  });
  const openTyped = useAction(async (e: FormEvent) => {
    e.preventDefault();
    await loadMap(conversation.trim());
  });
  const post = useAction(async (e: FormEvent) => {
    e.preventDefault();
    await api('POST', `/api/v1/conversations/${conversation}/messages`, { sender_id: sender, body: text });
    setText('');
    await loadMap(conversation);
  });
  const showInbox = useAction(async (u: KnownUser) => {
    setInbox({ user: u, entries: (await api<Schemas['InboxPage']>('GET', `/api/v1/users/${u.id}/conversations`)).data });
  });
  const claim = useAction(async (e: FormEvent) => {
    e.preventDefault();
    const a = await api<Schemas['Account']>('POST', '/api/v1/accounts', {
      user_id: owner || users[0]!.id,
      username,
      email: `${username.toLowerCase()}@example.test`,
      password: 'shard-lab-password',
    });
    // Read back from the shards where the claim and the account went, not from the reply.
    setHolders(await api<Schemas['NameHolders']>('GET', `/lab/v1/references/names/${encodeURIComponent(a.username)}`));
    if (conversation) await loadMap(conversation);
  });
  const remove = useAction(async (u: KnownUser) => {
    await request('DELETE', `/api/v1/users/${u.id}`);
    setUsers((list) => list.filter((x) => x.id !== u.id));
    // Follow the cleanup: the outbox drains and the diagram loses the member's rows, as they happen.
    const until = Date.now() + FOLLOW_MS;
    for (;;) {
      const backlog = await api<OutboxBacklog>('GET', '/lab/v1/outbox');
      setOutbox(backlog);
      if (conversation) await loadMap(conversation).catch(() => setMap(null));
      if (backlog.total_pending === 0 || Date.now() > until) break;
      await new Promise((r) => setTimeout(r, 500));
    }
  });
  const raceForName = useAction(async (e: FormEvent) => {
    e.preventDefault();
    setNameRace(await api<Schemas['UsernameRace']>('POST', '/lab/v1/references/username-race', { username: raceName, claims: 50 }));
  });
  const runAudit = useAction(async () => setAudit(await api<Schemas['ReferenceAudit']>('GET', '/lab/v1/references/audit')));

  const members = map?.members.filter((m) => m.user_exists) ?? [];
  return (
    <Panel title="The messenger, row by row" className="messenger">
      <div className="row">
        <span className="field">
          <label htmlFor={ids.title}>Conversation title</label>
          <input id={ids.title} value={title} onChange={(e) => setTitle(e.target.value)} autoComplete="off" />
        </span>
        <button type="button" className="primary" onClick={() => void sample.run()} disabled={sample.busy}>
          Sample conversation
        </button>
        <span className="muted small">users until their ids cover 3 shards, a conversation with them, a message from each</span>
      </div>
      <ErrorNote error={sample.error} />

      <h4>Users</h4>
      <NewUserForm first={first} last={last} onFirst={setFirst} onLast={setLast} onSubmit={(e) => void create.run(e)} busy={create.busy} />
      <ErrorNote error={create.error ?? remove.error ?? showInbox.error} />
      {users.length > 0 && (
        <form onSubmit={(e) => void start.run(e)}>
          <ul className="messenger-users">
            {users.map((u) => (
              <li key={u.id} data-user={u.id} data-shard={u.shard}>
                <label>
                  <input
                    type="checkbox"
                    checked={picked.has(u.id)}
                    onChange={(e) =>
                      setPicked((p) => {
                        const n = new Set(p);
                        if (e.target.checked) n.add(u.id);
                        else n.delete(u.id);
                        return n;
                      })
                    }
                  />{' '}
                  {u.name}
                </label>{' '}
                — <code>users</code> row on <Shard name={u.shard} /> <span className="muted small">(key: id {tail(u.id)})</span>{' '}
                <button type="button" onClick={() => void showInbox.run(u)} disabled={showInbox.busy}>
                  Inbox
                </button>{' '}
                <button type="button" onClick={() => void remove.run(u)} disabled={remove.busy} aria-label={`Delete ${u.name}`}>
                  Delete
                </button>
              </li>
            ))}
          </ul>
          <button type="submit" disabled={start.busy || picked.size === 0}>
            Start conversation with the ticked users
          </button>
          <ErrorNote error={start.error} />
        </form>
      )}
      {users.length > 0 && (
        <form className="row" onSubmit={(e) => void claim.run(e)}>
          <span className="field">
            <label htmlFor={ids.owner}>Account for</label>
            <select id={ids.owner} value={owner || users[0]!.id} onChange={(e) => setOwner(e.target.value)}>
              {users.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name}
                </option>
              ))}
            </select>
          </span>
          <span className="field">
            <label htmlFor={ids.name}>Username</label>
            <input id={ids.name} value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="off" />
          </span>
          <button type="submit" disabled={claim.busy || !username}>
            Claim username
          </button>
        </form>
      )}
      <ErrorNote error={claim.error} />
      {holders?.lookup && (
        <p aria-live="polite" data-name={holders.username}>
          “{holders.username}”: <code>username_lookup</code> row on <Shard name={holders.lookup_shard} />{' '}
          <span className="muted small">(key: the name; {holders.lookup.confirmed ? 'confirmed' : 'pending'})</span>
          {holders.accounts.map((h) => (
            <span key={h.account_id}>
              {' '}
              → <code>accounts</code> row of {users.find((u) => u.id === h.user_id)?.name ?? tail(h.user_id)} on <Shard name={h.shard} />{' '}
              <span className="muted small">(key: user_id)</span>
            </span>
          ))}
        </p>
      )}
      {inbox && (
        <div className="messenger-inbox" aria-live="polite">
          <p>
            {inbox.user.name}'s inbox: <code>user_conversations</code> rows on <Shard name={inbox.user.shard} />{' '}
            <span className="muted small">(key: user_id — one shard, no fan-out; the title is a copy)</span>
          </p>
          <ul>
            {inbox.entries.length === 0 && <li className="muted">empty</li>}
            {inbox.entries.map((c) => (
              <li key={c.id}>
                <button type="button" className="link" onClick={() => void open(c.id)}>
                  {c.title}
                </button>{' '}
                <span className="mono small">{c.id}</span>
              </li>
            ))}
          </ul>
        </div>
      )}

      <h4>Conversation</h4>
      <form className="row" onSubmit={(e) => void openTyped.run(e)}>
        <span className="field">
          <label htmlFor={ids.conv}>Conversation id</label>
          <input id={ids.conv} value={conversation} onChange={(e) => setConversation(e.target.value)} className="mono" size={38} autoComplete="off" />
        </span>
        <button type="submit" disabled={openTyped.busy || !conversation}>
          Open
        </button>
      </form>
      <ErrorNote error={openTyped.error} />
      {map && (
        <>
          <ul className="messenger-rows" data-conversation={map.conversation.id}>
            <li>
              <code>conversations</code> row “{map.conversation.title}” on <Shard name={map.conversation.shard} />{' '}
              <span className="muted small">(key: id {tail(map.conversation.id)})</span>
            </li>
            <li>
              {map.members.length} <code>conversation_members</code> rows and {map.messages.total} <code>messages</code> rows
              {map.messages.without_sender > 0 ? ` (${map.messages.without_sender} whose sender was deleted: SET NULL)` : ''} on{' '}
              <Shard name={map.messages.shard} /> <span className="muted small">(key: conversation_id — real foreign keys, same shard)</span>
            </li>
            {map.members.map((m) => (
              <li key={m.user_id} data-member={m.user_id} data-shard={m.user_shard}>
                {m.user_exists ? m.name : <strong className="bad">missing user {tail(m.user_id)}</strong>}: <code>users</code>
                {m.inbox_row ? ' and inbox' : ''} row on <Shard name={m.user_shard} /> <span className="muted small">(key: user id {tail(m.user_id)})</span>
                {m.usernames.map((u) => (
                  <span key={u.username}>
                    ; username “{u.username}”: account on <Shard name={u.account_shard} />, lookup row on <Shard name={u.lookup_shard} />{' '}
                    <span className="muted small">(key: the name{u.lookup_confirmed === false ? ', pending' : ''})</span>
                  </span>
                ))}
              </li>
            ))}
          </ul>
          <div
            className="diagram"
            role="img"
            aria-label={`${map.conversation.title}: ${map.members.length} members on ${new Set(map.members.map((m) => m.user_shard)).size} shards; the conversation on ${map.conversation.shard}`}
          >
            {/* biome-ignore lint/security/noDangerouslySetInnerHtml: Mermaid's SVG, rendered with securityLevel 'strict'; learners' names are escaped in the diagram text */}
            {svg ? <div dangerouslySetInnerHTML={{ __html: svg }} /> : <p className="muted">{drawError ?? 'Drawing…'}</p>}
          </div>
          <form className="row" onSubmit={(e) => void post.run(e)}>
            <span className="field">
              <label htmlFor={ids.sender}>As</label>
              <select id={ids.sender} value={sender} onChange={(e) => setSender(e.target.value)}>
                {members.map((m) => (
                  <option key={m.user_id} value={m.user_id}>
                    {m.name}
                  </option>
                ))}
              </select>
            </span>
            <span className="field">
              <label htmlFor={ids.text}>Message</label>
              <input id={ids.text} value={text} onChange={(e) => setText(e.target.value)} autoComplete="off" />
            </span>
            <button type="submit" disabled={post.busy || !sender || !text}>
              Post message
            </button>
          </form>
          <ErrorNote error={post.error} />
        </>
      )}

      <h4>One username, 50 claims at once</h4>
      <form className="row" onSubmit={(e) => void raceForName.run(e)}>
        <span className="field">
          <label htmlFor={ids.race}>Username to race for</label>
          <input id={ids.race} value={raceName} onChange={(e) => setRaceName(e.target.value)} autoComplete="off" />
        </span>
        <button type="submit" disabled={raceForName.busy || !raceName}>
          50 users claim it at once
        </button>
      </form>
      <ErrorNote error={raceForName.error} />
      {nameRace && (
        <p aria-live="polite" data-won={nameRace.won}>
          {nameRace.claims} claims for “{nameRace.username}”, every one an <code>INSERT</code> into <code>username_lookup</code> on{' '}
          <Shard name={nameRace.lookup_shard} /> (key: the lower-cased name): <strong className="good">{nameRace.won} won</strong>, {nameRace.conflicts}{' '}
          answered 409
          {nameRace.winner ? (
            <>
              {' '}
              — the winner's account lives on <Shard name={nameRace.winner.user_shard} />, their own shard
            </>
          ) : null}
          {nameRace.failed.length > 0 ? (
            <span className="bad">
              {' '}
              · {nameRace.failed.length} failed: {nameRace.failed[0]}
            </span>
          ) : null}
        </p>
      )}

      <h4>Cleanup and audit</h4>
      <div className="row">
        <button type="button" onClick={() => void runAudit.run()} disabled={runAudit.busy}>
          Audit every cross-shard reference
        </button>
        {outbox && (
          <span data-outbox-pending={outbox.total_pending}>
            Outbox: {outbox.total_pending} event{outbox.total_pending === 1 ? '' : 's'} pending
            {outbox.shards
              .filter((s) => (s.pending ?? 0) > 0 || s.pending === null)
              .map((s) => ` · ${s.shard}: ${s.pending ?? 'no answer'}${s.last_error ? ` (${s.last_error})` : ''}`)
              .join('')}
          </span>
        )}
      </div>
      <ErrorNote error={runAudit.error} />
      {audit && (
        <div className="table-wrap">
          <table data-dangling={audit.total_dangling}>
            <caption>
              {audit.total_dangling} dangling reference{audit.total_dangling === 1 ? '' : 's'}
              {audit.unreachable.length > 0 ? ` — incomplete: ${audit.unreachable.join(', ')} did not answer` : ''}
            </caption>
            <thead>
              <tr>
                <th>reference (crosses shards)</th>
                <th>kept right by</th>
                <th>checked</th>
                <th>dangling</th>
              </tr>
            </thead>
            <tbody>
              {audit.references.map((r) => (
                <tr key={r.reference}>
                  <td>
                    <code>{r.reference}</code>
                    {r.sample.map((s) => (
                      <div key={`${s.row}-${s.missing}`} className="small bad">
                        {s.row} on {s.from_shard} → {s.missing}, not on {s.expected_on}
                      </div>
                    ))}
                  </td>
                  <td className="small">{r.kept_by}</td>
                  <td>{r.checked}</td>
                  <td>{r.dangling}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}
