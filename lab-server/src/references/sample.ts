import { InvalidInputError } from '../domain/errors.js';
import type { Messenger } from '../messenger/messenger.js';
import type { Router } from '../sharding/router.js';

/** People the sample conversation is built from, in order; the first is always a member (the chapter deletes her). */
export const SAMPLE_PEOPLE: readonly (readonly [string, string])[] = [
  ['Ada', 'Lovelace'],
  ['Grace', 'Hopper'],
  ['Edsger', 'Dijkstra'],
  ['Barbara', 'Liskov'],
  ['Alan', 'Turing'],
  ['Katherine', 'Johnson'],
  ['Donald', 'Knuth'],
  ['Frances', 'Allen'],
];
/** Ids are random, so reaching N shards can take a few more users than N; this bounds the attempts. */
const MAX_USERS = 40;

export interface SampleConversation {
  conversation_id: string;
  conversation_shard: string;
  members: { user_id: string; name: string; shard: string }[];
  member_shards: string[];
  messages: number;
}

/**
 * A conversation whose members live on at least `shards` different shards, built through the messenger's own
 * services (the same checks and events as the API): users are created until their ids cover that many shards,
 * then the conversation, then one message from each member.
 */
export async function sampleConversation(
  messenger: Pick<Messenger, 'users' | 'conversations'>,
  router: Router,
  input: { title: string; shards: number },
): Promise<SampleConversation> {
  if (input.shards > router.names.length) {
    throw new InvalidInputError('too_many_shards', `The ring has ${router.names.length} shards; ask for at most that many.`, { field: 'shards' });
  }
  const members: SampleConversation['members'] = [];
  const covered = new Set<string>();
  for (let i = 0; covered.size < input.shards; i++) {
    if (i >= MAX_USERS) throw new InvalidInputError('not_reached', `${MAX_USERS} users did not cover ${input.shards} shards; try again.`);
    const [first, last] = SAMPLE_PEOPLE[i % SAMPLE_PEOPLE.length]!;
    const { value, shard } = await messenger.users.create({ first_name: first, last_name: last });
    members.push({ user_id: value.id, name: `${first} ${last}`, shard });
    covered.add(shard);
  }
  const c = await messenger.conversations.create({ title: input.title, member_ids: members.map((m) => m.user_id) });
  for (const m of members) await messenger.conversations.post(c.id, { sender_id: m.user_id, body: `Hello from ${m.name}, on ${m.shard}.` });
  return {
    conversation_id: c.id,
    conversation_shard: router.route(c.id).shard_name,
    members,
    member_shards: [...covered].sort(),
    messages: members.length,
  };
}
