import type { Cluster } from '../cluster/cluster.js';
import { ConflictError } from '../domain/errors.js';
import type { Messenger } from '../messenger/messenger.js';
import type { Router } from '../sharding/router.js';
import { ringHash } from '../sharding/hash.js';
import { listRuns, recordRun } from './records.js';

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
  /** When the claims were sent and when the last was answered: what a check under load compares with a run. */
  started_at: string;
  finished_at: string;
}

/**
 * N users claim one username at the same moment through the accounts service (the path behind
 * POST /api/v1/accounts): every claim is an INSERT on the same lookup shard, so one primary key decides.
 */
export async function usernameRace(
  messenger: Pick<Messenger, 'users' | 'accounts'>,
  router: Router,
  input: { username?: string | undefined; claims: number },
  cluster: Pick<Cluster, 'shards' | 'pools'>,
): Promise<UsernameRace> {
  const username = input.username ?? `race-${Date.now().toString(36)}`;
  const users = await Promise.all(
    Array.from({ length: input.claims }, async (_, i) => (await messenger.users.create({ first_name: 'Claimant', last_name: String(i + 1) })).value.id),
  );
  const email = (i: number) => `${username.toLowerCase()}+${i}-${Date.now()}@example.test`;
  const started = new Date();
  const results = await Promise.allSettled(
    users.map((user_id, i) => messenger.accounts.create({ user_id, username, email: email(i), password: 'shard-lab-password' })),
  );
  const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const rejected = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  const conflicts = rejected.filter((e) => e instanceof ConflictError).length;
  const finished = new Date();
  const winner = won[0];
  const race: UsernameRace = {
    username,
    lookup_shard: router.routeHash(ringHash(username.toLowerCase())).shard_name,
    claims: input.claims,
    won: won.length,
    conflicts,
    failed: rejected.filter((e) => !(e instanceof ConflictError)).map((e) => (e instanceof Error ? e.message : String(e))),
    winner: winner ? { user_id: winner.user_id, user_shard: router.route(winner.user_id).shard_name } : null,
    started_at: started.toISOString(),
    finished_at: finished.toISOString(),
  };
  await recordRun(
    cluster,
    'username_races',
    'username text NOT NULL, claims int NOT NULL, won int NOT NULL, conflicts int NOT NULL, failed int NOT NULL, started_at timestamptz NOT NULL, finished_at timestamptz NOT NULL',
    {
      username,
      claims: race.claims,
      won: race.won,
      conflicts: race.conflicts,
      failed: race.failed.length,
      started_at: race.started_at,
      finished_at: race.finished_at,
    },
  );
  return race;
}

export interface UsernameRaceRecord {
  username: string;
  claims: number;
  won: number;
  conflicts: number;
  failed: number;
  started_at: string;
  finished_at: string;
}

/** Every username race run so far, oldest first (kept on the first shard until Reset chapter). */
export function listUsernameRaces(cluster: Pick<Cluster, 'shards' | 'pools'>): Promise<UsernameRaceRecord[]> {
  return listRuns<UsernameRaceRecord>(
    cluster,
    'username_races',
    `username, claims, won, conflicts, failed, to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS started_at, to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS finished_at`,
  );
}
