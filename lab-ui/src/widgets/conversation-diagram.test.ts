import { describe, expect, it } from 'vitest';
import { conversationDiagram, type ConversationMap } from './conversation-diagram';

const map = (over: Partial<ConversationMap['members'][number]> = {}): ConversationMap => ({
  conversation: { id: '01900000-0000-7000-8000-00000000c0c0', title: 'Say "hi" <b>', created_at: '2026-01-01T00:00:00.000Z', shard: 'shard-2' },
  members: [
    {
      user_id: '01900000-0000-7000-8000-0000000000a1',
      member_shard: 'shard-2',
      user_shard: 'shard-0',
      user_exists: true,
      name: 'Ada Lovelace',
      inbox_row: true,
      messages: 2,
      usernames: [{ username: 'ada', account_shard: 'shard-0', lookup_shard: 'shard-4', lookup_confirmed: true }],
      ...over,
    },
  ],
  messages: { shard: 'shard-2', total: 2, without_sender: 0 },
});

describe('conversation diagram', () => {
  it('puts each row in the box of the shard it lives on, with the key that placed it', () => {
    const text = conversationDiagram(map());
    expect(text).toMatch(/subgraph s0\["shard-0"\]\n {4}u0\["user Ada Lovelace<br\/>key: id …0000a1<br\/>\+ inbox row/);
    expect(text).toMatch(/subgraph s1\["shard-2"\]\n {4}conv\["conversation/);
    expect(text).toMatch(/subgraph s2\["shard-4"\]\n {4}u0n0\["username_lookup “ada”/);
    expect(text).toContain('conv -.->|"member · 2 msg"| u0');
    expect(text).not.toContain('dangling');
  });

  it('escapes quotes and markup in titles and marks a member whose user is gone', () => {
    const text = conversationDiagram(map({ user_exists: false, name: null, usernames: [] }));
    expect(text).toContain('Say #quot;hi#quot; #lt;b#gt;');
    expect(text).toContain('missing user …0000a1');
    expect(text).toContain('class u0 dangling');
  });
});
