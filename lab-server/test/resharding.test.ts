import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../src/jobs/registry.js';
import type { User } from '../src/messenger/users/schemas.js';
import type { ShardStats } from '../src/messenger/users/service.js';
import { queryServer, startEmbeddedTestLab, testRing, type ErrorReply, type TestLab } from './support/lab.js';
import { expectNothingLeftBehind, placement, shardUrls, underLoad, waitForJob } from './support/workload.js';

let t: TestLab;
beforeAll(async () => {
  t = await startEmbeddedTestLab(3, { LAB_STATEMENT_TIMEOUT_MS: '1500' });
});
afterAll(async () => t?.stop());

const query = queryServer;

describe('adding a shard online', () => {
  it('moves exactly the rows the new ring names, under concurrent writes, with no error, loss, duplicate or reverted update', async () => {
    const seed = await t.call<{ job_id: string }>('POST', '/lab/v1/seed', { users: 20_000, conversations: 300, messages: 3_000 });
    expect((await waitForJob(t, seed.body.job_id)).state).toBe('succeeded');
    // Conversations with their members and message counts, over every shard.
    const conversationsNow = async () => {
      const convs = new Map<string, { members: Set<string>; messages: number }>();
      for (const s of shardUrls(t)) {
        for (const r of await query<{ id: string }>(s.url, 'SELECT id FROM conversations')) convs.set(r.id, { members: new Set(), messages: 0 });
      }
      for (const s of shardUrls(t)) {
        for (const r of await query<{ c: string; u: string }>(s.url, 'SELECT conversation_id AS c, user_id AS u FROM conversation_members'))
          convs.get(r.c)?.members.add(r.u);
        for (const r of await query<{ c: string; n: string }>(s.url, 'SELECT conversation_id AS c, count(*)::text AS n FROM messages GROUP BY 1')) {
          const conv = convs.get(r.c);
          if (conv) conv.messages += Number(r.n);
        }
      }
      return convs;
    };
    const conversationsBefore = await conversationsNow();
    const plan = await t.call<{ total_rows: number; moved_fraction: number; shards_after: string[] }>('POST', '/lab/v1/shards/plan');
    expect(plan.body.shards_after).toEqual(['shard-0', 'shard-1', 'shard-2', 'shard-3']);
    expect(plan.body.moved_fraction).toBeCloseTo(0.2624, 3);

    let job!: JobView;
    const load = await underLoad(t, async () => {
      await new Promise((r) => setTimeout(r, 300));
      const res = await t.call<{ job_id: string }>('POST', '/lab/v1/shards', { mode: 'rebalance' });
      expect(res.status).toBe(202);
      job = await waitForJob(t, res.body.job_id);
      await new Promise((r) => setTimeout(r, 300));
    });

    expect(job.state, JSON.stringify(job.error)).toBe('succeeded');
    const result = job.result as { ring_version: number; pause_ms: number; verify_pause_ms: number; moved_rows: number; verify: { ok: boolean } };
    expect(result.ring_version).toBe(2);
    expect(result.verify.ok).toBe(true);
    expect(result.pause_ms).toBeGreaterThanOrEqual(0);
    expect(result.verify_pause_ms).toBeGreaterThanOrEqual(0);
    expect(result.moved_rows).toBeGreaterThan(0);
    expect(job.notes!.map((n) => n.phase)).toEqual(expect.arrayContaining(['plan', 'provision', 'copy', 'verify', 'cutover', 'cleanup']));
    // The new shard's own ledger, read back before it takes traffic.
    expect(job.notes!.map((n) => n.message)).toContainEqual(
      expect.stringMatching(/^shard-3 migrated and proven at the latest schema: \d+ migrations applied, the last \d+_\w+, as on every serving shard\.$/),
    );
    expect(load.errors.slice(0, 5)).toEqual([]);

    const ring = testRing(4);
    const where = await placement(t);
    for (const [id, last] of load.live) {
      const at = where.get(id);
      expect(at, `user ${id} lost`).toBeDefined();
      expect(at!.length, `user ${id} duplicated on ${at!.map((a) => a.shard).join(', ')}`).toBe(1);
      expect(at![0]!.shard, `user ${id} misplaced`).toBe(ring.route(id).shard_name);
      expect(at![0]!.last_name, `user ${id} update reverted`).toBe(last);
    }
    for (const id of load.deleted) expect(where.has(id), `deleted user ${id} came back`).toBe(false);
    expect(where.size).toBe(load.live.size);

    // Every other movable table moved with its sharding key, nothing lost or doubled. The writers delete users,
    // and a conversation whose members are all deleted goes (with its messages) once the outbox gets to it.
    const conversationsAfter = await conversationsNow();
    for (const [id, before] of conversationsBefore) {
      const emptied = [...before.members].every((u) => load.deleted.has(u));
      const after = conversationsAfter.get(id);
      if (!emptied) expect(after?.messages, `conversation ${id}`).toBe(before.messages);
      else if (after) expect(after.messages).toBe(before.messages);
    }
    expect([...conversationsAfter.keys()].filter((id) => !conversationsBefore.has(id) && !load.conversations.has(id))).toEqual([]);
    for (const s of shardUrls(t)) {
      for (const table of ['conversations', 'messages', 'user_conversations']) {
        const rows = await query<{ h: string }>(s.url, `SELECT ring_hash::text AS h FROM ${table}`);
        expect(
          rows.every((r) => ring.routeHash(Number(r.h)).shard_name === s.name),
          `${table} on ${s.name}`,
        ).toBe(true);
      }
    }

    const stats = await t.call<ShardStats>('GET', '/api/v1/shards/stats');
    expect(stats.body.total_users).toBe(load.live.size);
    expect(stats.body.shards.map((s) => s.shard_name)).toEqual(['shard-0', 'shard-1', 'shard-2', 'shard-3']);
    const sample = [...load.live.keys()].slice(0, 200);
    for (const id of sample) expect((await t.call('GET', `/api/v1/users/${id}`)).status).toBe(200);
    await expectNothingLeftBehind(t);
  });
});

describe('cancelling a move', () => {
  it.each(['provision', 'copy', 'verify', 'cleanup'] as const)('before %s: returns to the previous topology and leaves nothing behind', async (step) => {
    const before = (await t.call<{ shards: { name: string }[]; ring: { version: number } }>('GET', '/lab/v1/topology')).body;
    const counts = (await t.call<ShardStats>('GET', '/api/v1/shards/stats')).body;
    const res = await t.call<{ job_id: string }>('POST', '/lab/v1/shards', { mode: 'rebalance', pause_before: [step] });
    const held = await waitForJob(t, res.body.job_id, (j) => j.waiting === `before ${step}` || !['queued', 'running'].includes(j.state));
    expect(held.waiting).toBe(`before ${step}`);
    const provisioned = t.running.lab.cluster.shards.find((s) => !before.shards.some((b) => b.name === s.name));
    const pid = provisioned?.server?.pid ?? null;
    expect((await t.call('POST', `/lab/v1/jobs/${res.body.job_id}/cancel`)).status).toBe(202);
    const job = await waitForJob(t, res.body.job_id);
    expect(job.state, JSON.stringify(job.error)).toBe('cancelled');
    const after = (await t.call<{ shards: { name: string }[]; ring: { version: number; shards: string[] } }>('GET', '/lab/v1/topology')).body;
    expect(after.shards.map((s) => s.name)).toEqual(before.shards.map((s) => s.name));
    if (step === 'cleanup') {
      // Past cutover the new ring served writes, so the cancel moved everything back: two more ring versions.
      expect(job.result).toMatchObject({ reverted: true, ring_version: before.ring.version + 2 });
      expect(job.notes!.map((n) => n.phase)).toEqual(
        expect.arrayContaining(['cutover', 'cleanup', 'revert copy', 'revert verify', 'revert cutover', 'revert cleanup']),
      );
      expect(after.ring.version).toBe(before.ring.version + 2);
    } else {
      expect(after.ring.version).toBe(before.ring.version);
    }
    expect(after.ring.shards).toEqual(before.shards.map((s) => s.name));
    expect((await t.call<ShardStats>('GET', '/api/v1/shards/stats')).body).toEqual(counts);
    if (pid !== null) expect(() => process.kill(pid, 0)).toThrow();
    await expectNothingLeftBehind(t);
  });

  it('a copy that differs from its source fails verify, and the move is rolled back', async () => {
    const before = (await t.call<{ ring: { version: number; shards: string[] } }>('GET', '/lab/v1/topology')).body.ring;
    const counts = (await t.call<ShardStats>('GET', '/api/v1/shards/stats')).body;
    const res = await t.call<{ job_id: string }>('POST', '/lab/v1/shards', { pause_before: ['verify'] });
    await waitForJob(t, res.body.job_id, (j) => j.waiting === 'before verify' || !['queued', 'running'].includes(j.state));
    const added = t.running.lab.cluster.shards.find((s) => !before.shards.includes(s.name))!;
    // Tamper with one copied row on the new shard, behind the lab's back.
    await query(added.url, "UPDATE users SET last_name = 'tampered' WHERE id = (SELECT id FROM users LIMIT 1)");
    expect((await t.call('POST', `/lab/v1/jobs/${res.body.job_id}/continue`)).status).toBe(202);
    const job = await waitForJob(t, res.body.job_id);
    expect(job.state).toBe('failed');
    expect(job.error?.message).toMatch(/verify failed: users shard-\d→shard-\d+: \d+ rows vs \d+ \(contents differ\)/);
    const after = (await t.call<{ ring: { version: number; shards: string[] } }>('GET', '/lab/v1/topology')).body.ring;
    expect(after).toMatchObject({ version: before.version, shards: before.shards });
    expect(t.running.lab.cluster.byName(added.name)).toBeUndefined();
    expect((await t.call<ShardStats>('GET', '/api/v1/shards/stats')).body).toEqual(counts);
    await expectNothingLeftBehind(t);
  });

  it('rejects bad requests', async () => {
    expect((await t.call('POST', '/lab/v1/shards', { mode: 'sideways' })).status).toBe(400);
    expect((await t.call('POST', '/lab/v1/shards', { pause_before: ['nap'] })).status).toBe(400);
    expect((await t.call('DELETE', '/lab/v1/shards/shard-99')).status).toBe(404);
    expect((await t.call('POST', '/lab/v1/shards/shard-0/explode')).status).toBe(404);
    expect((await t.call('POST', '/lab/v1/jobs/00000000-0000-0000-0000-000000000000/continue')).status).toBe(404);
  });
});

describe('faithful mode: what the original did', () => {
  it('changes the ring, moves nothing, and the orphans it predicts answer 404', async () => {
    const plan = (await t.call<{ total_rows: number; rows_by_table: Record<string, number> }>('POST', '/lab/v1/shards/plan')).body;
    const before = await placement(t);
    const res = await t.call<{ job_id: string }>('POST', '/lab/v1/shards', { mode: 'faithful' });
    const job = await waitForJob(t, res.body.job_id);
    expect(job.state, JSON.stringify(job.error)).toBe('succeeded');
    const result = job.result as { orphaned_rows: number; orphans: { shard: string; rows: number }[] };
    expect(result.orphaned_rows).toBe(plan.total_rows);
    expect(result.orphans.reduce((n, o) => n + o.rows, 0)).toBe(plan.total_rows);

    const ring = testRing(5);
    const orphaned = [...before].filter(([id, at]) => ring.route(id).shard_name !== at[0]!.shard).map(([id]) => id);
    expect(orphaned.length).toBe(plan.rows_by_table.users);
    for (const id of orphaned.slice(0, 50)) expect((await t.call('GET', `/api/v1/users/${id}`)).status).toBe(404);
    expect((await placement(t)).size).toBe(before.size);

    // Draining it for real now would meet the orphans on the receiving shards: refused, and nothing is lost.
    const refused = await t.call<{ job_id: string }>('DELETE', '/lab/v1/shards/shard-4');
    const refusedJob = await waitForJob(t, refused.body.job_id);
    expect(refusedJob.state).toBe('failed');
    expect(refusedJob.error?.message).toMatch(/already holds \d+ rows .* orphans of a faithful change/);
    expect((await placement(t)).size).toBe(before.size);

    // Removing it faithfully puts the old ring back: the orphans are reachable again.
    const undo = await t.call<{ job_id: string }>('DELETE', '/lab/v1/shards/shard-4?mode=faithful');
    expect((await waitForJob(t, undo.body.job_id)).state).toBe('succeeded');
    for (const id of orphaned.slice(0, 50)) expect((await t.call('GET', `/api/v1/users/${id}`)).status).toBe(200);
  });
});

describe('removing a shard online', () => {
  it('cancelled after cutover under concurrent writes: the drained shard takes its rows back, nothing lost', async () => {
    const before = (await t.call<{ ring: { version: number; shards: string[] } }>('GET', '/lab/v1/topology')).body.ring;
    const victim = t.running.lab.cluster.byName('shard-2')!;
    const pid = victim.server!.pid!;
    let job!: JobView;
    const load = await underLoad(t, async () => {
      const res = await t.call<{ job_id: string }>('DELETE', '/lab/v1/shards/shard-2', { pause_before: ['cleanup'] });
      expect(res.status).toBe(202);
      await waitForJob(t, res.body.job_id, (j) => j.waiting === 'before cleanup' || !['queued', 'running'].includes(j.state));
      expect(t.running.lab.ring.router.names).not.toContain('shard-2');
      expect((await t.call('POST', `/lab/v1/jobs/${res.body.job_id}/cancel`)).status).toBe(202);
      job = await waitForJob(t, res.body.job_id);
    });
    expect(job.state, JSON.stringify(job.error)).toBe('cancelled');
    expect(job.result).toMatchObject({ reverted: true, ring_version: before.version + 2 });
    expect(load.errors.slice(0, 5)).toEqual([]);
    expect(t.running.lab.ring.router.names).toEqual(before.shards);
    expect(victim.server!.pid).toBe(pid);

    const where = await placement(t);
    const route = (id: string) => t.running.lab.ring.router.route(id).shard_name;
    for (const [id, last] of load.live) {
      expect(where.get(id)?.length, `user ${id}`).toBe(1);
      expect(where.get(id)![0]!.shard).toBe(route(id));
      expect(where.get(id)![0]!.last_name).toBe(last);
    }
    expect(where.size).toBe(load.live.size);
    await expectNothingLeftBehind(t);
  });

  it('drains it into the others, then stops it', async () => {
    const before = await placement(t);
    const victim = t.running.lab.cluster.byName('shard-1')!;
    const pid = victim.server!.pid!;
    const res = await t.call<{ job_id: string }>('DELETE', '/lab/v1/shards/shard-1');
    expect(res.status).toBe(202);
    const job = await waitForJob(t, res.body.job_id);
    expect(job.state, JSON.stringify(job.error)).toBe('succeeded');
    expect(() => process.kill(pid, 0)).toThrow();
    const names = t.running.lab.ring.router.names;
    expect(names).toEqual(['shard-0', 'shard-2', 'shard-3']);
    const where = await placement(t);
    expect(where.size).toBe(before.size);
    const route = (id: string) => t.running.lab.ring.router.route(id).shard_name;
    for (const [id, at] of where) {
      expect(at.length).toBe(1);
      expect(at[0]!.shard).toBe(route(id));
    }
    await expectNothingLeftBehind(t);
  });
});

describe('faults', () => {
  /**
   * Four clients creating users and reading existing ones on every shard while `fault` happens to one shard
   * and is undone: every failure must be a 503 naming that shard, and every request for another shard's keys
   * must succeed.
   */
  async function underFault(victim: string, fault: () => Promise<void>, undo: () => Promise<void>, faultMs: number) {
    const where = await placement(t);
    const keys = [...where].map(([id, at]) => ({ id, shard: at[0]!.shard }));
    const failures: { status: number; shards: string[] | undefined; key_shard: string | null }[] = [];
    const othersOk = { reads: 0, creates: 0 };
    let stop = false;
    const client = async () => {
      for (let n = 0; !stop; n++) {
        if (n % 2 === 0) {
          const res = await t.call<User & ErrorReply>('POST', '/api/v1/users', { first_name: 'Fault', last_name: 'Load' });
          if (res.status === 201) othersOk.creates += t.running.lab.ring.router.route(res.body.id).shard_name === victim ? 0 : 1;
          else failures.push({ status: res.status, shards: res.body.error?.details.shards as string[] | undefined, key_shard: null });
        } else {
          const key = keys[Math.floor(Math.random() * keys.length)]!;
          const res = await t.call<ErrorReply>('GET', `/api/v1/users/${key.id}`);
          if (res.status === 200) othersOk.reads += key.shard === victim ? 0 : 1;
          else failures.push({ status: res.status, shards: res.body.error?.details.shards as string[] | undefined, key_shard: key.shard });
        }
      }
    };
    const victimKey = keys.find((k) => k.shard === victim)!.id;
    const clients = Array.from({ length: 4 }, client);
    let okDuring: number;
    try {
      await new Promise((r) => setTimeout(r, 200));
      await fault();
      const okBefore = othersOk.reads + othersOk.creates;
      await new Promise((r) => setTimeout(r, faultMs));
      okDuring = othersOk.reads + othersOk.creates - okBefore;
      await undo();
      for (let i = 0; i < 100 && (await t.call('GET', `/api/v1/users/${victimKey}`)).status !== 200; i++) await new Promise((r) => setTimeout(r, 100));
    } finally {
      stop = true;
      await Promise.all(clients);
    }
    return { failures, okDuring, victimKey };
  }

  // A paused shard's request on an open connection fails at the statement timeout (1.5 s here); one that needs
  // a new connection at the connect timeout (5 s here): the pause outlasts both.
  it.each([
    ['killed', 'shard-0', 'kill', 'start', 2_000],
    ['paused', 'shard-3', 'pause', 'resume', 6_000],
  ] as const)('under load, a %s shard fails only its own keys, each failure a 503 naming it, and comes back', async (_how, victim, fault, undo, ms) => {
    const statuses: string[] = [];
    const act = (action: string) => async () => {
      statuses.push((await t.call<{ status: string }>('POST', `/lab/v1/shards/${victim}/${action}`)).body.status);
    };
    const r = await underFault(victim, act(fault), act(undo), ms);
    expect(statuses).toEqual([fault === 'kill' ? 'down' : 'paused', 'up']);
    expect(r.failures.length).toBeGreaterThan(0);
    expect(r.failures.filter((f) => f.status !== 503 || f.shards?.join() !== victim || (f.key_shard !== null && f.key_shard !== victim))).toEqual([]);
    expect(r.okDuring).toBeGreaterThan(0);
    expect((await t.call('GET', `/api/v1/users/${r.victimKey}`)).status).toBe(200);
  });
});

describe('replicas and read policies', () => {
  it('adds a streaming replica, reports its lag, counts stale reads under "replica", and reads your writes under "read-your-writes"', async () => {
    const res = await t.call<{ name: string; replicas: { name: string; state: string | null; lag_bytes: number | null }[] }>(
      'POST',
      '/lab/v1/shards/shard-0/replicas',
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const replicaUrl = t.running.lab.cluster.byName('shard-0')!.replica!.url;
    let topo!: { shards: { name: string; replicas: { name: string; state: string | null; lag_bytes: number | null }[] }[] };
    for (let i = 0; i < 50; i++) {
      topo = (await t.call<typeof topo>('GET', '/lab/v1/topology')).body;
      if (topo.shards[0]!.replicas[0]?.state === 'streaming') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(topo.shards[0]!.replicas[0]).toMatchObject({ name: 'shard-0-replica', state: 'streaming' });
    expect(topo.shards[0]!.replicas[0]!.lag_bytes).toBeGreaterThanOrEqual(0);

    // Make the replica lag on purpose: it applies WAL 3 s late.
    await query(replicaUrl, "ALTER SYSTEM SET recovery_min_apply_delay = '3s'");
    await query(replicaUrl, 'SELECT pg_reload_conf()');
    const ring = t.running.lab.ring.router;
    const createOnShard0 = async () => {
      for (;;) {
        const { body } = await t.call<User>('POST', '/api/v1/users', { first_name: 'Lag', last_name: 'Test' });
        if (ring.route(body.id).shard_name === 'shard-0') return body;
      }
    };
    const reads = async () =>
      (await t.call<{ reads: { primary_reads: number; replica_reads: number; stale_reads: number } }>('GET', '/lab/v1/topology')).body.reads;

    await t.call('PUT', '/lab/v1/settings', { read_policy: 'replica' });
    const before = await reads();
    const fresh = await createOnShard0();
    expect((await t.call('GET', `/api/v1/users/${fresh.id}`)).status).toBe(404);
    const after = await reads();
    expect(after.replica_reads - before.replica_reads).toBe(1);
    expect(after.stale_reads - before.stale_reads).toBe(1);

    await t.call('PUT', '/lab/v1/settings', { read_policy: 'read-your-writes' });
    const mine = await createOnShard0();
    expect((await t.call('GET', `/api/v1/users/${mine.id}`)).status).toBe(200);
    expect((await reads()).primary_reads).toBeGreaterThan(after.primary_reads);

    await t.call('PUT', '/lab/v1/settings', { read_policy: 'primary' });
    await query(replicaUrl, 'ALTER SYSTEM RESET recovery_min_apply_delay');
    await query(replicaUrl, 'SELECT pg_reload_conf()');
  });
});
