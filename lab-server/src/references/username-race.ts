import { ConflictError } from '../domain/errors.js';
import type { Messenger } from '../messenger/messenger.js';
import type { Router } from '../sharding/router.js';
import { ringHash } from '../sharding/hash.js';

export interface UsernameRace {
  username: string;
  /** The shard every claim went to: the lower-cased name's point on the ring. */
  lookup_shard: string;
  claims: number;
  won: number;
  /** 409 already_taken: the lookup row's primary key let another claim in first. */
  conflicts: number;
  /** Anything else, with its message (a shard down, say). */
  failed: string[];
  winner: { user_id: string; user_shard: string } | null;
}

/**
 * N users claim one username at the same moment through the accounts service (the path behind
 * POST /api/v1/accounts): every claim is an INSERT on the same lookup shard, so one primary key decides.
 */
export async function usernameRace(
  messenger: Pick<Messenger, 'users' | 'accounts'>,
  router: Router,
  input: { username: string; claims: number },
): Promise<UsernameRace> {
  const users = await Promise.all(
    Array.from({ length: input.claims }, async (_, i) => (await messenger.users.create({ first_name: 'Claimant', last_name: String(i + 1) })).value.id),
  );
  const email = (i: number) => `${input.username.toLowerCase()}+${i}-${Date.now()}@example.test`;
  const results = await Promise.allSettled(
    users.map((user_id, i) => messenger.accounts.create({ user_id, username: input.username, email: email(i), password: 'shard-lab-password' })),
  );
  const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const rejected = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  const conflicts = rejected.filter((e) => e instanceof ConflictError).length;
  const winner = won[0];
  return {
    username: input.username,
    lookup_shard: router.routeHash(ringHash(input.username.toLowerCase())).shard_name,
    claims: input.claims,
    won: won.length,
    conflicts,
    failed: rejected.filter((e) => !(e instanceof ConflictError)).map((e) => (e instanceof Error ? e.message : String(e))),
    winner: winner ? { user_id: winner.user_id, user_shard: router.route(winner.user_id).shard_name } : null,
  };
}
