import type { Cluster } from '../cluster/cluster.js';
import type { JobRegistry } from '../jobs/registry.js';
import { seed } from '../seeding/seed.js';
import type { Router } from '../sharding/router.js';
import type { RunData } from './ops.js';
import type { Scenario } from './scenarios.js';
import type { Preparation } from './engine.js';

/** Ids a run reads from; enough that reads spread over the whole key space and every shard. */
const SAMPLE_IDS = 10_000;
/** Below this many users the engine seeds first, so that reads have something real to find. */
export const MIN_USERS = 1_000;
export const SEED_USERS = 10_000;
const CONVERSATIONS = 50;

export interface PrepareDeps {
  cluster: Pick<Cluster, 'shards' | 'pools'>;
  router: () => Router;
  jobs: JobRegistry;
  target: () => string;
}

/**
 * Gets what a scenario reads: user ids sampled from the shards (seeding users first when there are almost
 * none and `seedFirst` allows it, and saying so), and for messenger scenarios conversations created through the API.
 */
export async function prepareRun(
  deps: PrepareDeps,
  scenario: Scenario,
  signal: AbortSignal,
  note: (text: string) => void,
  seedFirst = true,
): Promise<Preparation> {
  const notes: string[] = [];
  let ids = await sampleUserIds(deps.cluster, SAMPLE_IDS);
  if (ids.total < MIN_USERS && seedFirst) {
    note(`The cluster had ${ids.total} users; seeding ${SEED_USERS.toLocaleString('en-US')} first so that reads have ids that exist.`);
    const job = deps.jobs.submit('seed', { users: SEED_USERS, for: `loadtest ${scenario.name}` }, SEED_USERS, (ctx) =>
      seed(deps.cluster, deps.router(), { users: SEED_USERS }, ctx),
    );
    const onAbort = () => deps.jobs.cancel(job.id);
    signal.addEventListener('abort', onAbort, { once: true });
    const done = await deps.jobs.wait(job.id);
    signal.removeEventListener('abort', onAbort);
    if (done.state !== 'succeeded') throw new Error(`seeding users before the run ${done.state}${done.error ? `: ${done.error.message}` : ''}`);
    ids = await sampleUserIds(deps.cluster, SAMPLE_IDS);
  }
  notes.push(`Reads use ${ids.ids.length.toLocaleString('en-US')} ids sampled from ${ids.total.toLocaleString('en-US')} users on ${ids.shards} shard(s).`);
  const data: RunData = { user_ids: ids.ids, conversations: [], hot: null };
  if (scenario.needs === 'messenger') {
    data.conversations = await createConversations(deps.target(), ids.ids, scenario.name === 'hot-conversation' ? 1 : CONVERSATIONS);
    data.hot = scenario.name === 'hot-conversation' ? data.conversations[0]! : null;
    notes.push(`Created ${data.conversations.length} conversation(s) with 3 members each.`);
  }
  return { data, notes };
}

/** Up to `want` existing user ids, drawn from every shard that answers in proportion to its size. */
export async function sampleUserIds(cluster: Pick<Cluster, 'shards' | 'pools'>, want: number): Promise<{ ids: string[]; total: number; shards: number }> {
  const up = cluster.shards.filter((s) => s.status === 'up');
  // On the administration pool: a run that measures a starved request pool (the tuning chapter) must still start.
  const admin = (s: (typeof up)[number]) => cluster.pools.admin(s);
  const counts = await Promise.all(
    up.map((s) => cluster.pools.onShard(s.id, async () => Number((await admin(s).query<{ n: string }>('SELECT count(*) AS n FROM users')).rows[0]!.n))),
  );
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return { ids: [], total, shards: up.length };
  const lists = await Promise.all(
    up.map((s, i) => {
      const n = Math.ceil((want * counts[i]!) / total);
      const percent = Math.min(100, (100 * 2 * n) / Math.max(counts[i]!, 1));
      // BERNOULLI reads every page but returns a fair sample; the first rows of a heap would all be old users.
      return cluster.pools.onShard(s.id, async () =>
        (await admin(s).query<{ id: string }>(`SELECT id::text AS id FROM users TABLESAMPLE BERNOULLI (${percent}) LIMIT $1`, [n])).rows.map((r) => r.id),
      );
    }),
  );
  return { ids: lists.flat(), total, shards: up.length };
}

async function createConversations(target: string, userIds: string[], count: number): Promise<RunData['conversations']> {
  const out: RunData['conversations'] = [];
  for (let i = 0; i < count; i++) {
    const members = Array.from({ length: 3 }, () => userIds[Math.floor(Math.random() * userIds.length)]!);
    const res = await fetch(`${target}/api/v1/conversations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: `load test ${i + 1}`, member_ids: [...new Set(members)] }),
    });
    if (res.status !== 201) throw new Error(`creating a conversation answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    out.push({ id: ((await res.json()) as { id: string }).id, member_ids: [...new Set(members)] });
  }
  return out;
}
