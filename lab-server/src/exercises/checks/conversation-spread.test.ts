import { describe, expect, it } from 'vitest';
import { conversationSpread, judgeSpread } from './conversation-spread.js';

const spec = { kind: 'conversation-spread' as const, title: 'Analytical Engine', min_shards: 3 };

describe('conversation-spread check', () => {
  it('needs a title and a whole number of shards', () => {
    expect(conversationSpread.spec.parse(spec)).toEqual(spec);
    for (const bad of [{ title: '' }, { min_shards: 0 }, { min_shards: 1.5 }, { shards: 3 }]) {
      expect(conversationSpread.spec.safeParse({ ...spec, ...bad }).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('says how to start one when there is none', () => {
    expect(judgeSpread(spec, []).message).toMatch(/no conversation titled “Analytical Engine” yet\. Start one .* on 3 shards/);
  });

  it('fails on too few shards, naming them, and judges the widest conversation of that title', () => {
    const narrow = { id: 'c1', shard: 'shard-1', member_shards: ['shard-0', 'shard-0', 'shard-2'] };
    expect(judgeSpread(spec, [narrow])).toEqual({
      passed: false,
      message:
        '“Analytical Engine” has members on 2 shards (shard-0, shard-2); this step needs 3. Create more users until their ids land on other shards, and start a new conversation with them.',
    });
    const wide = { id: 'c2', shard: 'shard-4', member_shards: ['shard-3', 'shard-0', 'shard-1'] };
    expect(judgeSpread(spec, [narrow, wide])).toEqual({
      passed: true,
      message:
        "“Analytical Engine” lives on shard-4 (its id chose it), with its members' rows and messages; its members' own rows are on shard-0, shard-1, shard-3.",
    });
  });

  it('with a writer asked for, says none of that name has written; and names a shard that did not answer before judging the spread', () => {
    const writer = { ...spec, writer: { first_name: 'Ada', last_name: 'Lovelace' } };
    expect(conversationSpread.spec.parse(writer)).toEqual(writer);
    expect(judgeSpread(writer, []).message).toBe(
      'No conversation titled “Analytical Engine” has a member named Ada Lovelace who has written in it. Press “Sample conversation” to start one.',
    );
    const narrow = { id: 'c1', shard: 'shard-1', member_shards: ['shard-0', 'shard-2'] };
    expect(judgeSpread(spec, [narrow], ['shard-3']).message).toBe(
      'shard-3 did not answer, so the members of “Analytical Engine” cannot all be followed. Start it again and check once more.',
    );
    expect(judgeSpread(spec, [{ ...narrow, member_shards: ['shard-0', 'shard-1', 'shard-2'] }], ['shard-3']).passed).toBe(true);
  });
});
