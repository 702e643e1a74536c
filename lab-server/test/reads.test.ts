import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { startEmbeddedTestLab, type ErrorReply, type TestLab } from './support/lab.js';
import { terminalLine } from './support/terminal.js';

// Replicas from the page: a replica made to lag on purpose, the read policy switched, and write-then-read
// trials that count the reads which missed a user created a moment before — the original's `replica` policy
// next to read-your-writes — through the API and the CLI.

interface ReadsReply {
  policy: string;
  stale_reads: number;
  replicas: { shard: string; replica: string; status: string; error: string | null; log: string[]; apply_delay_ms: number | null }[];
  last_trial: TrialReply | null;
  last_load: {
    scenario: string;
    results: { policy: string; requests: number; errors: number; stale_reads: number; replica_reads: number; primary_reads: number }[];
  } | null;
}
interface TrialReply {
  pairs: number;
  replicas: { replica: string; apply_delay_ms: number | null }[];
  results: { policy: string; pairs: number; not_found: number; errors: number; replica_reads: number; primary_reads: number; stale_reads: number }[];
}

let t: TestLab;
beforeAll(async () => {
  t = await startEmbeddedTestLab(2);
});
afterAll(async () => t?.stop());

const reads = async () => (await t.call<ReadsReply>('GET', '/lab/v1/reads')).body;
const labCli = (...args: string[]) => runCli(args, { LAB_URL: t.url });

const terminal = (line: string) => terminalLine(t.url, line);

describe('replicas and read policies', () => {
  it('refuses bad input with a 4xx that says what to do, and changes nothing', async () => {
    const before = await reads();
    expect(before).toMatchObject({ policy: 'primary', replicas: [], last_trial: null, last_load: null });
    const cases: [string, string, unknown, number, RegExp][] = [
      ['POST', '/lab/v1/reads/trial', {}, 409, /No shard has a replica up.*POST \/lab\/v1\/shards\/shard-0\/replicas/],
      ['POST', '/lab/v1/reads/load', {}, 409, /No shard has a replica up/],
      ['PUT', '/lab/v1/shards/shard-0/replicas/delay', { ms: 1000 }, 409, /shard-0 has no replica; add one first/],
      ['PUT', '/lab/v1/shards/shard-9/replicas/delay', { ms: 1000 }, 404, /No shard named 'shard-9'/],
      ['PUT', '/lab/v1/shards/shard-0/replicas/delay', { ms: -1 }, 400, /ms must be at least 0/],
      ['PUT', '/lab/v1/shards/shard-0/replicas/delay', { ms: 'slow' }, 400, /ms is required: a number of milliseconds/],
      ['PUT', '/lab/v1/shards/shard-0/replicas/delay', { ms: 10, extra: 1 }, 400, /unknown field\(s\): extra/],
      ['POST', '/lab/v1/reads/trial', { pairs: 0 }, 400, /pairs must be at least 1/],
      ['POST', '/lab/v1/reads/trial', { policies: ['sometimes'] }, 400, /policies take primary, replica or read-your-writes/],
      ['POST', '/lab/v1/reads/trial', { policies: ['replica', 'replica'] }, 400, /name each policy at most once/],
      ['DELETE', '/lab/v1/shards/shard-9/replicas', undefined, 404, /No shard named 'shard-9'/],
    ];
    for (const [method, url, body, status, message] of cases) {
      const r = await t.call<ErrorReply>(method, url, body);
      expect(r.status, `${method} ${url} ${JSON.stringify(body)}`).toBe(status);
      expect(r.body.error.message).toMatch(message);
    }
    expect(await reads()).toEqual(before);
    // Removing a replica a shard does not have is nothing to do (a chapter's reset relies on it).
    const none = await t.call<{ name: string; replicas: unknown[] }>('DELETE', '/lab/v1/shards/shard-1/replicas');
    expect(none.status).toBe(200);
    expect(none.body).toMatchObject({ name: 'shard-1', replicas: [] });
  });

  it('a lagging replica misses writes under the replica policy and never under read-your-writes', async () => {
    expect((await t.call('POST', '/lab/v1/shards/shard-0/replicas')).status).toBe(201);
    const delay = await t.call('PUT', '/lab/v1/shards/shard-0/replicas/delay', { ms: 4000 });
    expect(delay.body).toEqual({ shard: 'shard-0', replica: 'shard-0-replica', apply_delay_ms: 4000 });
    expect((await reads()).replicas).toEqual([expect.objectContaining({ shard: 'shard-0', replica: 'shard-0-replica', status: 'up', apply_delay_ms: 4000 })]);

    const trial = await t.call<TrialReply>('POST', '/lab/v1/reads/trial', { pairs: 40 });
    expect(trial.status, JSON.stringify(trial.body)).toBe(200);
    const [replica, ryw] = trial.body.results;
    expect(trial.body.replicas).toEqual([{ shard: 'shard-0', replica: 'shard-0-replica', lag_bytes: expect.any(Number), apply_delay_ms: 4000 }]);
    // Under `replica`, a user created on shard-0 is read from its replica 4 s behind: a 404 the router counts as stale.
    expect(replica).toMatchObject({ policy: 'replica', pairs: 40, errors: 0 });
    expect(replica!.not_found).toBeGreaterThan(0);
    expect(replica!.not_found).toBeLessThan(40);
    expect(replica!.stale_reads).toBe(replica!.not_found);
    expect(replica!.replica_reads).toBe(replica!.not_found);
    // Under read-your-writes the same reads go to the primary until the replica has replayed them.
    expect(ryw).toMatchObject({ policy: 'read-your-writes', pairs: 40, errors: 0, not_found: 0, stale_reads: 0, replica_reads: 0, primary_reads: 40 });
    // The trial puts the policy back, leaves no rows, and is kept for the page and the checks.
    const after = await reads();
    expect(after.policy).toBe('primary');
    expect(after.last_trial).toEqual(trial.body);
    expect((await t.call<{ total_users: number }>('GET', '/api/v1/shards/stats')).body.total_users).toBe(0);
  });

  it('under load: the same smoke run counts stale reads under replica, each a failed request, and none under read-your-writes', async () => {
    for (const body of [{ scenario: 'read-heavy' }, { duration_s: 0 }, { connections: 2.5 }, { pairs: 3 }]) {
      expect((await t.call<ErrorReply>('POST', '/lab/v1/reads/load', body)).status, JSON.stringify(body)).toBe(400);
    }
    expect((await reads()).last_load).toBeNull();
    const out = await terminal('reads load --duration 2 --connections 4');
    expect(out).toMatch(/smoke, 4 connections, 2 s per policy; shard-0-replica delayed 4,000 ms/);
    const r = await reads();
    expect(r.policy).toBe('primary');
    const [replica, ryw] = r.last_load!.results;
    // shard-0's replica is 4 s behind: a user created there and read back at once is missing on it.
    expect(replica).toMatchObject({ policy: 'replica' });
    expect(replica!.requests).toBeGreaterThan(0);
    expect(replica!.stale_reads).toBeGreaterThan(0);
    // Each such read is a 404 the load test counts as failed (one still in flight at the end may be counted by one side only).
    expect(replica!.errors).toBeGreaterThan(0);
    expect(ryw).toMatchObject({ policy: 'read-your-writes', stale_reads: 0, errors: 0 });
    expect(ryw!.requests).toBeGreaterThan(0);
    expect(out).toMatch(/read-your-writes +\| +[\d,]+ +\| 0 +\|/);
    expect(await terminal('reads')).toMatch(/last comparison under load \(smoke, 2 s per policy\)/);
  });

  it('the terminal and the CLI show, switch and measure the same', async () => {
    expect(await terminal('reads policy sometimes')).toMatch(/POLICY must be primary, replica or read-your-writes/);
    expect(await terminal('reads policy read-your-writes')).toMatch(/read policy: read-your-writes/);
    expect((await reads()).policy).toBe('read-your-writes');
    const trial = await labCli('reads', 'trial', '20');
    expect(trial.code, trial.out).toBe(0);
    expect(trial.out).toMatch(/shard-0-replica delayed 4,000 ms/);
    expect(trial.out).toMatch(/read-your-writes \| 0 +\| 0\.0 % +\| 0 /);
    expect((await reads()).policy).toBe('read-your-writes');
    const shown = await terminal('reads');
    expect(shown).toMatch(/read policy: read-your-writes/);
    expect(shown).toMatch(/shard-0-replica \| up /);
  });

  it('removes the replica: its server and data are gone, and reads go to the primary', async () => {
    const dir = t.running.lab.cluster.byName('shard-0')!.replica!.server!.spec.dataDir;
    expect(await terminal('shards replica')).toMatch(/name a shard, or give --all/);
    // --all builds a replica for every shard that lacks one: here shard-1.
    expect(await terminal('shards replica --all')).toMatch(/shard-1-replica: postgres:\/\/postgres:\*\*\*@/);
    expect((await reads()).replicas.map((r) => r.replica)).toEqual(['shard-0-replica', 'shard-1-replica']);
    expect(await terminal('shards replica-remove shard-0')).toMatch(/shard-0 has no replica now/);
    // A replica that stopped answering cannot be delayed: a 409 that says what to do, not an internal error.
    const stopped = t.running.lab.cluster.byName('shard-1')!.replica!;
    await stopped.server!.stop();
    await expect.poll(() => stopped.status, { timeout: 20_000 }).toBe('down');
    // The view says why, in the probe's words, with the server's last log lines (here: its shutdown).
    const down = (await reads()).replicas.find((r) => r.replica === 'shard-1-replica')!;
    expect(down).toMatchObject({ status: 'down', error: expect.stringMatching(/\S/) });
    expect(down.log.length).toBeGreaterThan(0);
    expect(down.log.join('\n')).toMatch(/shut(ting)? down/);
    const delay = await t.call<ErrorReply>('PUT', '/lab/v1/shards/shard-1/replicas/delay', { ms: 1000 });
    expect(delay.status).toBe(409);
    expect(delay.body.error.message).toMatch(/shard-1-replica is down: remove it and add a new one/);
    expect((await t.call('DELETE', '/lab/v1/shards/shard-1/replicas')).status).toBe(200);
    expect((await reads()).replicas).toEqual([]);
    expect(fs.existsSync(dir)).toBe(false);
    expect((await t.call<ErrorReply>('POST', '/lab/v1/reads/trial', {})).status).toBe(409);
    expect((await t.call('DELETE', '/lab/v1/reads/trial')).status).toBe(204);
    expect((await reads()).last_trial).toBeNull();
    expect((await reads()).last_load).toBeNull();
  });
});
