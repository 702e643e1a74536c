import type { components } from '../generated/api';

export type ConversationMap = components['schemas']['ConversationMap'];

/** A learner's text in a label (a title, a name): quotes and angle brackets become entities, so it cannot break or inject markup. */
const esc = (s: string) => s.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
/** A label: the lab's own text, with `<br/>` line breaks, around escaped values. */
const q = (s: string) => `"${s}"`;
const id = (prefix: string, i: number) => `${prefix}${i}`;
const short = (uuid: string) => uuid.slice(-6);

/**
 * One conversation's rows as a Mermaid flowchart, one box per shard: the conversation with its member and
 * message rows on its own shard; each member's user and inbox rows on the user's shard; each username's lookup
 * row on the name's shard. Solid arrows are references a foreign key enforces (same shard); dashed ones cross
 * shards and are kept by the API and the outbox. A member whose user is gone is drawn as dangling.
 */
export function conversationDiagram(map: ConversationMap): string {
  const byShard = new Map<string, string[]>();
  const put = (shard: string, line: string) => byShard.set(shard, [...(byShard.get(shard) ?? []), line]);
  const edges: string[] = [];
  const dangling: string[] = [];
  const c = map.conversation;
  const members = map.members.length;
  put(
    c.shard,
    `    conv[${q(`conversation “${esc(c.title)}”<br/>key: id …${short(c.id)}<br/>${members} member rows · ${map.messages.total} messages${map.messages.without_sender ? ` (${map.messages.without_sender} without sender)` : ''}`)}]`,
  );
  map.members.forEach((m, i) => {
    const user = id('u', i);
    if (m.user_exists) {
      put(
        m.user_shard,
        `    ${user}[${q(`user ${esc(m.name ?? '')}<br/>key: id …${short(m.user_id)}${m.inbox_row ? '<br/>+ inbox row (key: user_id)' : '<br/>no inbox row yet'}`)}]`,
      );
    } else {
      put(m.user_shard, `    ${user}[${q(`missing user …${short(m.user_id)}<br/>member row dangles`)}]`);
      dangling.push(user);
    }
    edges.push(`  conv -.->|${q(`member · ${m.messages} msg`)}| ${user}`);
    m.usernames.forEach((u, j) => {
      const node = `${user}n${j}`;
      put(u.lookup_shard, `    ${node}[${q(`username_lookup “${esc(u.username)}”<br/>key: the name${u.lookup_confirmed === false ? ' · pending' : ''}`)}]`);
      edges.push(`  ${node} -.->|${q('account')}| ${user}`);
    });
  });
  const lines = ['flowchart LR'];
  [...byShard.keys()].sort().forEach((shard, i) => {
    lines.push(`  subgraph ${id('s', i)}[${q(esc(shard))}]`, ...byShard.get(shard)!, '  end');
  });
  lines.push(...edges);
  if (dangling.length > 0) lines.push('  classDef dangling fill:#fde2e2,stroke:#c0392b,color:#7b1d1d', `  class ${dangling.join(',')} dangling`);
  return lines.join('\n');
}
