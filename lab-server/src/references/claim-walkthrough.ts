import { v7 as uuidv7 } from 'uuid';
import type { Cluster } from '../cluster/cluster.js';
import { NotFoundError } from '../domain/errors.js';
import type { CLAIM_CRASHES } from '../contracts/references.js';
import { CLAIM_TTL_MS } from '../messenger/accounts/claims.js';
import { FencedError } from '../messenger/accounts/prisma-repository.js';
import { lookupValues } from '../messenger/accounts/service.js';
import type { CreateAccount } from '../messenger/accounts/schemas.js';
import type { Messenger } from '../messenger/messenger.js';
import { ringHash } from '../sharding/hash.js';
import type { Router } from '../sharding/router.js';
import { listRuns, recordRun } from './records.js';

/**
 * The username protocol one step at a time (docs/uniqueness.md): the first sign-up claims the name in the
 * lookup table, creates the account on its owner's shard and confirms — or dies after the claim or after the
 * create. A second user then asks for the same name, at once and again once the dead claim has expired; the
 * accounts service settles the claim (fence or confirm). After each step the lab reads the rows from the shards.
 *
 * The one thing not real is the clock: instead of waiting CLAIM_TTL_MS, the lab moves the claim's `claimed_at`
 * back by that much on the lookup shard, which is exactly what the wait would change.
 */

export type ClaimCrash = (typeof CLAIM_CRASHES)[number];
export type Who = 'first' | 'second' | 'other';

export interface ClaimState {
  /** The name's row in username_lookup, on the name's shard. */
  lookup: { holder: Who; account_id: string; confirmed: boolean; age_ms: number } | null;
  /** Accounts with this username on every shard (exactly one once the protocol has settled). */
  accounts: { shard: string; holder: Who; account_id: string }[];
  /** The first sign-up's account id in abandoned_accounts on its owner's shard: it can never be created now. */
  first_fenced: boolean;
}

export interface ClaimStep {
  step: 'claim' | 'create' | 'confirm' | 'crash' | 'second-claim' | 'expire' | 'second-claim-again' | 'late-create';
  what: string;
  outcome: 'done' | 'refused' | 'crashed' | 'aged';
  /** The API's or the fence's answer when the step was refused. */
  error: string | null;
  state: ClaimState;
}

export interface ClaimWalkthrough {
  username: string;
  crash: ClaimCrash;
  lookup_shard: string;
  first: { user_id: string; user_shard: string; account_id: string };
  second: { user_id: string; user_shard: string; account_id: string | null };
  steps: ClaimStep[];
  /** Who holds the name at the end, by the lookup row. */
  holder: Who | null;
  accounts_with_name: number;
  /** One account holds the name, and the confirmed lookup row names that very account. */
  settled: boolean;
}

type Deps = { cluster: Pick<Cluster, 'shards' | 'pools'>; router: Router; messenger: Pick<Messenger, 'users' | 'accounts'> };

const PASSWORD = 'shard-lab-password';

export async function runClaimWalkthrough(d: Deps, input: { username?: string | undefined; crash: ClaimCrash }): Promise<ClaimWalkthrough> {
  const username = input.username ?? `claim-${Date.now().toString(36)}`;
  const name = username.toLowerCase();
  const newUser = async (first_name: string) => {
    const u = (await d.messenger.users.create({ first_name, last_name: 'Claimant' })).value;
    return { user_id: u.id, user_shard: d.router.route(u.id).shard_name };
  };
  const a = await newUser('First');
  const b = await newUser('Second');
  const first = { ...a, account_id: uuidv7() };
  const second: ClaimWalkthrough['second'] = { ...b, account_id: null };
  const firstInput: CreateAccount = { user_id: a.user_id, username, email: `${name}+first-${first.account_id}@example.test`, password: PASSWORD };
  const secondInput: CreateAccount = { user_id: b.user_id, username, email: `${name}+second-${Date.now()}@example.test`, password: PASSWORD };
  const values = lookupValues(firstInput);
  const who = (accountId: string): Who => (accountId === first.account_id ? 'first' : accountId === second.account_id ? 'second' : 'other');
  const steps: ClaimStep[] = [];
  const step = async (s: ClaimStep['step'], what: string, outcome: ClaimStep['outcome'], error: string | null = null) => {
    steps.push({ step: s, what, outcome, error, state: await readState(d, name, first.account_id, a.user_id, who) });
  };
  /** The second user's whole sign-up, through the service behind POST /api/v1/accounts. */
  const secondSignUp = async (s: ClaimStep['step'], when: string) => {
    try {
      second.account_id = (await d.messenger.accounts.create(secondInput)).id;
      await step(s, `${when}: the second user signs up for “${username}” and gets it (201)`, 'done');
    } catch (err) {
      await step(s, `${when}: the second user signs up for “${username}”: refused`, 'refused', messageOf(err));
    }
  };

  await d.messenger.accounts.claimValues(values, first.account_id, a.user_id);
  await step('claim', `The first user claims “${username}” (and the e-mail): pending rows in the lookup tables, on the values' shards`, 'done');
  if (input.crash === 'after-claim') {
    await step('crash', 'The first request dies after its claim: no account, nobody to confirm or release the claim', 'crashed');
  } else {
    await d.messenger.accounts.insert(firstInput, first.account_id);
    await step('create', `The account is created on its owner's shard (${a.user_shard}), behind the fence`, 'done');
    if (input.crash === 'after-create') {
      await step('crash', 'The first request dies after creating the account: the claim stays pending', 'crashed');
    } else {
      await d.messenger.accounts.confirmValues(values, first.account_id);
      await step('confirm', 'The claims are confirmed: the name is final', 'done');
    }
  }
  await secondSignUp('second-claim', 'At once');
  if (input.crash !== 'none') {
    await expire(d, name);
    await step('expire', `${CLAIM_TTL_MS / 1000} s pass: the pending claim is now past its TTL (the lab moved claimed_at back instead of waiting)`, 'aged');
    await secondSignUp('second-claim-again', 'Once the claim has expired');
  }
  if (input.crash === 'after-claim') {
    try {
      await d.messenger.accounts.insert(firstInput, first.account_id);
      await step('late-create', 'The first request wakes up and creates its account: it went through', 'done');
    } catch (err) {
      if (!(err instanceof FencedError)) throw err;
      await step('late-create', 'The first request wakes up and tries to create its account: the fence stops it', 'refused', err.message);
    }
  }
  const end = steps.at(-1)!.state;
  const result: ClaimWalkthrough = {
    username,
    crash: input.crash,
    lookup_shard: valueShard(d, name).shard_name,
    first,
    second,
    steps,
    holder: end.lookup?.holder ?? null,
    accounts_with_name: end.accounts.length,
    settled: end.accounts.length === 1 && end.lookup !== null && end.lookup.confirmed && end.lookup.account_id === end.accounts[0]!.account_id,
  };
  await recordRun(
    d.cluster,
    'claim_walkthroughs',
    'username text NOT NULL, crash text NOT NULL, holder text, accounts_with_name int NOT NULL, settled boolean NOT NULL',
    {
      username,
      crash: result.crash,
      holder: result.holder,
      accounts_with_name: result.accounts_with_name,
      settled: result.settled,
    },
  );
  return result;
}

export interface ClaimWalkthroughRecord {
  username: string;
  crash: ClaimCrash;
  holder: Who | null;
  accounts_with_name: number;
  settled: boolean;
}

export function listClaimWalkthroughs(cluster: Pick<Cluster, 'shards' | 'pools'>): Promise<ClaimWalkthroughRecord[]> {
  return listRuns<ClaimWalkthroughRecord>(cluster, 'claim_walkthroughs', 'username, crash, holder, accounts_with_name, settled');
}

/** What the wait would change: the claim's age, judged by the lookup shard's own clock (as the service judges it). */
async function expire(d: Deps, name: string): Promise<void> {
  await d.cluster.pools.onShard(valueShard(d, name).shard_id, (pool) =>
    pool.query(`UPDATE username_lookup SET claimed_at = claimed_at - make_interval(secs => $2) WHERE username = $1 AND NOT confirmed`, [
      name,
      CLAIM_TTL_MS / 1000 + 1,
    ]),
  );
}

/** Who holds a name, read from the shards: its lookup row (on the name's shard) and every account that carries it. */
export interface NameRows {
  lookup: { account_id: string; user_id: string; confirmed: boolean; age_ms: number } | null;
  accounts: { shard: string; account_id: string; user_id: string }[];
}

export async function readName(d: Pick<Deps, 'cluster' | 'router'>, name: string): Promise<NameRows> {
  const lookup = await d.cluster.pools.onShard(valueShard(d, name).shard_id, async (pool) => {
    const r = await pool.query<{ account_id: string; user_id: string; confirmed: boolean; age_ms: number }>(
      `SELECT account_id::text, user_id::text, confirmed, (extract(epoch FROM now() - claimed_at) * 1000)::int AS age_ms FROM username_lookup WHERE username = $1`,
      [name],
    );
    return r.rows[0] ?? null;
  });
  const accounts = await Promise.all(
    d.cluster.shards.map((s) =>
      d.cluster.pools.onShard(s.id, async (pool) =>
        (await pool.query<{ id: string; user_id: string }>('SELECT id::text, user_id::text FROM accounts WHERE lower(username) = $1', [name])).rows.map(
          (r) => ({ shard: s.name, account_id: r.id, user_id: r.user_id }),
        ),
      ),
    ),
  );
  return { lookup, accounts: accounts.flat() };
}

async function readState(d: Deps, name: string, firstAccount: string, firstUser: string, who: (id: string) => Who): Promise<ClaimState> {
  const rows = await readName(d, name);
  const fenced = await d.cluster.pools.onShard(
    d.router.shardFor(firstUser),
    async (pool) => (await pool.query('SELECT 1 FROM abandoned_accounts WHERE account_id = $1', [firstAccount])).rowCount === 1,
  );
  const l = rows.lookup;
  return {
    lookup: l && { holder: who(l.account_id), account_id: l.account_id, confirmed: l.confirmed, age_ms: l.age_ms },
    accounts: rows.accounts.map((x) => ({ shard: x.shard, holder: who(x.account_id), account_id: x.account_id })),
    first_fenced: fenced,
  };
}

/** Who holds a name, for the page and `fk name`: the lookup row with its shard, and every account carrying it; 404 when nothing does. */
export async function nameHolders(d: Pick<Deps, 'cluster' | 'router'>, username: string): Promise<NameRows & { username: string; lookup_shard: string }> {
  const name = username.toLowerCase();
  const lookupShard = valueShard(d, name).shard_name;
  const rows = await readName(d, name);
  if (rows.lookup === null && rows.accounts.length === 0) {
    throw new NotFoundError(`Nobody holds or claims the username '${name}'; a claim for it would be written on ${lookupShard}.`, { lookup_shard: lookupShard });
  }
  return { username: name, lookup_shard: lookupShard, ...rows };
}

/** A lookup row's shard: the lower-cased value's own point on the ring. */
const valueShard = (d: Pick<Deps, 'router'>, value: string) => d.router.routeHash(ringHash(value));

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));
