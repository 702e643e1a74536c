import { setTimeout as sleep } from 'node:timers/promises';
import { RUNGS, type LadderRequest, type LadderStep, type LadderView, type Rung } from '../contracts/ladder.js';
import { ConflictError } from '../domain/errors.js';
import { median } from '../values/median.js';
import { runLoadTest, type RunReply } from '../loadtest/over-http.js';
import { errorMessage, type SelfClient, type SelfReply } from '../net/self-client.js';
import type { IndexSwitch } from './list-index.js';

/** What the climb reads back from the lab's own API before it changes anything, to put it back afterwards. */
interface Before {
  pooling: { mode: string; pool_size: number | null };
  cache: { mode: string; ttl_s: number };
  settings: { read_policy: string; prepared_statements: boolean };
  /** Shards with a replica now. */
  replicaShards: number;
  shardCount: number;
  /** Shards the climb built a replica for: only those are removed afterwards. */
  replicated: Set<string>;
  /** The shard the climb added, removed afterwards. */
  added: string | null;
  /** Whether the climb dropped the list's index: it is created again afterwards. */
  droppedIndex: boolean;
}

interface TopologyReply {
  shards: { name: string; replicas: unknown[] }[];
  reads: { stale_reads: number; replica_reads: number };
}
interface MetricsReply {
  latest: { shards: { replicas: { lag_ms: number | null; lag_bytes: number | null }[] }[] } | null;
}
interface JobReply {
  job_id: string;
}
interface JobView {
  state: string;
  error: { message: string } | null;
}

/** Why a rung could not be set up here; the climb records it and goes on with the next rung. */
class Skip extends Error {}

const ratio = (a: number | null | undefined, b: number | null | undefined) => (a == null || !b ? null : Math.round((a / b) * 100) / 100);
const round2 = (n: number) => Math.round(n * 100) / 100;

/** Slowest to fastest run against the median, in percent; null for fewer than two runs. */
export function spreadPercent(values: readonly number[]): number | null {
  const m = median(values);
  if (values.length < 2 || !m) return null;
  return Math.round(((Math.max(...values) - Math.min(...values)) / m) * 1000) / 10;
}

/** Whether two rungs' req/s ranges overlap: then this machine's own spread is as large as their difference. */
export function overlaps(a: readonly number[], b: readonly number[]): boolean | null {
  if (a.length < 2 || b.length < 2) return null;
  return Math.min(...a) <= Math.max(...b) && Math.min(...b) <= Math.max(...a);
}

/**
 * The scaling ladder measured in one run: the same load test on each rung the learner picked, in the guide's order,
 * each rung keeping the ones below it switched on — baseline (reads from primaries, no pooling, no cache; without the
 * list's index when the indexes rung follows), the list's index, a replica per shard serving reads, PgBouncer in
 * transaction mode (with the API's statements unnamed, which that mode needs), cache-aside for users by id, one
 * more shard (an online reshard). It goes through the lab's own HTTP API, like a learner with curl (the index, which
 * no route drops, through `IndexSwitch`), and puts everything it switched back as it was.
 *
 * A shared machine moves one run's req/s by tens of percent, so each rung is run `repeats` times: its numbers are
 * the medians, its spread is reported, and a rung whose range overlaps the first rung's is marked within noise.
 * Ratios are of medians against the first rung measured, in the same climb, on the same machine.
 */
export class Ladder {
  private view: LadderView = idle();
  private abort: AbortController | null = null;

  get(): LadderView {
    return structuredClone(this.view);
  }

  /** Starts a climb in the background; one at a time. The rungs are climbed in the ladder's order, whatever order they came in. */
  start(api: SelfClient, index: IndexSwitch, asked: LadderRequest): LadderView {
    if (this.view.state === 'running')
      throw new ConflictError('ladder_running', 'A climb is already running; wait for it or cancel it (DELETE /lab/v1/ladder).');
    const req = { ...asked, rungs: [...asked.rungs].sort((a, b) => RUNGS.indexOf(a) - RUNGS.indexOf(b)) };
    this.abort = new AbortController();
    this.view = { state: 'running', request: req, current: null, steps: [], notes: [], error: null, started_at: new Date().toISOString(), finished_at: null };
    void this.climb(api, index, req, this.abort.signal);
    return this.get();
  }

  /** Cancels a running climb (its load test too); otherwise forgets the last result. */
  cancel(): LadderView {
    if (this.view.state === 'running') this.abort?.abort();
    else this.view = idle();
    return this.get();
  }

  private note(message: string): void {
    this.view.notes.push(message);
  }

  private async climb(api: SelfClient, index: IndexSwitch, req: LadderRequest, signal: AbortSignal): Promise<void> {
    let before: Before | null = null;
    // The state says the climb ended only once the lab is put back, so a reader never sees "finished" mid-restore.
    let ended: LadderView['state'] = 'finished';
    try {
      before = await readBefore(api);
      for (const rung of req.rungs) {
        if (signal.aborted) break;
        this.view.current = rung;
        let skipped: string | null = null;
        let setup: string[] = [];
        try {
          setup = await this.setUp(api, index, rung, req, before, signal);
        } catch (err) {
          if (!(err instanceof Skip)) throw err;
          skipped = err.message;
          this.note(`${rung}: skipped — ${skipped}`);
        }
        this.view.steps.push(skipped ? emptyStep(rung, skipped) : await this.measure(api, rung, setup, req, signal));
      }
      if (signal.aborted) ended = 'cancelled';
    } catch (err) {
      ended = signal.aborted ? 'cancelled' : 'failed';
      if (!signal.aborted) this.view.error = (err as Error).message;
    } finally {
      if (before) await this.restore(api, index, before).catch((err: unknown) => this.note(`putting the lab back failed: ${(err as Error).message}`));
      this.view.current = null;
      this.view.finished_at = new Date().toISOString();
      this.view.state = ended;
      this.abort = null;
    }
  }

  /** Switches the rung on (the rungs below stay on) and says what is on now. */
  private async setUp(api: SelfClient, index: IndexSwitch, rung: Rung, req: LadderRequest, before: Before, signal: AbortSignal): Promise<string[]> {
    switch (rung) {
      case 'baseline':
        await must(api, 'PUT', '/lab/v1/pooling', { mode: 'off' });
        await must(api, 'PUT', '/lab/v1/cache', { mode: 'off' });
        await must(api, 'PUT', '/lab/v1/settings', { read_policy: 'primary' });
        // The indexes rung needs something to add: below it the list reads without its index.
        if (req.rungs.includes('indexes')) {
          before.droppedIndex = true;
          await index.drop();
        }
        this.note(`baseline: pooling off, cache off, reads from the primaries${before.droppedIndex ? `, no ${index.name} (the user list’s index)` : ''}`);
        break;
      case 'indexes':
        await index.create();
        this.note(`indexes: ${index.name} on every shard, so the user list reads 20 rows by the index instead of sorting the whole table`);
        break;
      case 'shards': {
        const names = async () => (await must<TopologyReply>(api, 'GET', '/lab/v1/topology')).body.shards.map((s) => s.name);
        const had = await names();
        // External shards: a new one is a server the learner names (400 url_required), so the rung is skipped.
        const added = await api.call<JobReply>('POST', '/lab/v1/shards', { mode: 'rebalance' });
        if (added.status === 400 || added.status === 409) throw new Skip(errorMessage(added));
        ok(added, 'POST /lab/v1/shards');
        await waitForJob(api, added.body.job_id, signal);
        before.added = (await names()).find((n) => !had.includes(n)) ?? null;
        // A PgBouncer runs in front of the shards there were when it started: the new shard gets its own.
        const pooling = (await must<Before['pooling']>(api, 'GET', '/lab/v1/pooling')).body;
        if (pooling.mode !== 'off') await must(api, 'PUT', '/lab/v1/pooling', { mode: pooling.mode, pool_size: pooling.pool_size ?? 10 });
        this.note(`shards: ${before.added ?? 'a shard'} added online (a reshard moved its share of the rows), ${had.length + 1} shards`);
        break;
      }
      case 'pooling': {
        // Transaction pooling moves a client between server connections, so the API's named statements must go.
        await must(api, 'PUT', '/lab/v1/settings', { prepared_statements: false });
        const r = await api.call('PUT', '/lab/v1/pooling', { mode: 'transaction', pool_size: 10 });
        if (r.status === 409) throw new Skip(errorMessage(r));
        ok(r, 'PUT /lab/v1/pooling');
        this.note('pooling: a PgBouncer in transaction mode (10 server connections) in front of every shard; the API’s statements unnamed');
        break;
      }
      case 'replicas': {
        const topo = (await must<TopologyReply>(api, 'GET', '/lab/v1/topology')).body;
        for (const s of topo.shards) {
          if (s.replicas.length) continue;
          const r = await api.call('POST', `/lab/v1/shards/${encodeURIComponent(s.name)}/replicas`);
          if (r.status === 409) throw new Skip(errorMessage(r));
          ok(r, `POST /lab/v1/shards/${s.name}/replicas`);
          before.replicated.add(s.name);
        }
        await must(api, 'PUT', '/lab/v1/settings', { read_policy: req.replica_reads });
        this.note(`replicas: a streaming replica per shard (${before.replicated.size} built for the climb), reads under ${req.replica_reads}`);
        break;
      }
      case 'cache': {
        const r = await api.call('PUT', '/lab/v1/cache', { mode: 'invalidate', ttl_s: 900 });
        if (r.status === 409) throw new Skip(errorMessage(r));
        ok(r, 'PUT /lab/v1/cache');
        this.note('cache: cache-aside for users by id, invalidated on write');
        break;
      }
    }
    const now = await readBefore(api);
    return onNow(now, { noIndex: before.droppedIndex && rung === 'baseline', shards: before.added ? now.shardCount : null });
  }

  /** Runs the rung's load test `repeats` times, sampling the replicas' lag while it runs; the medians make the step. */
  private async measure(api: SelfClient, rung: Rung, setup: string[], req: LadderRequest, signal: AbortSignal): Promise<LadderStep> {
    const reads0 = (await must<TopologyReply>(api, 'GET', '/lab/v1/topology')).body.reads;
    let lagBytes: number | null = null;
    let lagMs: number | null = null;
    const tick = async () => {
      const m = (await must<MetricsReply>(api, 'GET', '/lab/v1/metrics')).body.latest;
      for (const r of m?.shards.flatMap((s) => s.replicas) ?? []) {
        if (r.lag_bytes !== null) lagBytes = Math.max(lagBytes ?? 0, r.lag_bytes);
        if (r.lag_ms !== null) lagMs = Math.max(lagMs ?? 0, r.lag_ms);
      }
    };
    const runs: RunReply[] = [];
    for (let i = 0; i < req.repeats; i++) {
      const body = { scenario: req.scenario, duration_s: req.duration_s, connections: req.connections, warmup_s: i === 0 ? req.warmup_s : 0 };
      try {
        runs.push(await runLoadTest(api, body, { signal, tick }));
      } catch (err) {
        if (signal.aborted) throw new Error('cancelled');
        throw new Error(`the ${rung} rung’s ${(err as Error).message.replace(/^the /, '')}`);
      }
    }
    const reads1 = (await must<TopologyReply>(api, 'GET', '/lab/v1/topology')).body.reads;
    const first = this.view.steps.find((s) => !s.skipped);
    const sums = runs.map((r) => r.summary!);
    const rps = sums.map((s) => round2(s.requests_per_s));
    const p50 = median(sums.flatMap((s) => (s.latency_ms ? [s.latency_ms.p50] : [])));
    const p99 = median(sums.flatMap((s) => (s.latency_ms ? [s.latency_ms.p99] : [])));
    const rpsMedian = median(rps) ?? 0;
    return {
      rung,
      setup,
      run_id: runs.at(-1)!.id,
      skipped: null,
      requests: sums.reduce((n, s) => n + s.requests, 0),
      errors: sums.reduce((n, s) => n + s.errors, 0),
      requests_per_s: Math.round(rpsMedian),
      p50_ms: p50 === null ? null : round2(p50),
      p99_ms: p99 === null ? null : round2(p99),
      runs_rps: rps.map(Math.round),
      spread_percent: spreadPercent(rps),
      within_noise: first ? overlaps(rps, first.runs_rps) : null,
      rps_ratio: first ? ratio(rpsMedian, first.requests_per_s) : 1,
      p99_ratio: first ? ratio(p99, first.p99_ms) : 1,
      stale_reads: reads1.stale_reads - reads0.stale_reads,
      replica_reads: reads1.replica_reads - reads0.replica_reads,
      lag_bytes_max: lagBytes,
      lag_ms_max: lagMs,
    };
  }

  /** Puts back what the climb changed: the list's index, the shard it added, cache, pooling, settings, and the replicas it built. */
  private async restore(api: SelfClient, index: IndexSwitch, b: Before): Promise<void> {
    if (b.droppedIndex) await index.create();
    await must(api, 'PUT', '/lab/v1/cache', b.cache.mode === 'off' ? { mode: 'off' } : b.cache);
    // The added shard drains with the API straight to the servers, then pooling comes back on the shards there were.
    await must(api, 'PUT', '/lab/v1/pooling', { mode: 'off' });
    if (b.added) await waitForJob(api, (await must<JobReply>(api, 'DELETE', `/lab/v1/shards/${encodeURIComponent(b.added)}`)).body.job_id);
    if (b.pooling.mode !== 'off') await must(api, 'PUT', '/lab/v1/pooling', { mode: b.pooling.mode, pool_size: b.pooling.pool_size ?? 10 });
    await must(api, 'PUT', '/lab/v1/settings', b.settings);
    for (const shard of b.replicated) await must(api, 'DELETE', `/lab/v1/shards/${encodeURIComponent(shard)}/replicas`);
    const what = [
      ...(b.droppedIndex ? [`${index.name} created again`] : []),
      ...(b.added ? [`${b.added} drained and removed`] : []),
      'cache, pooling, read policy and prepared statements as they were',
      ...(b.replicated.size ? ['the replicas built for the climb removed'] : []),
    ];
    this.note(`put back: ${what.join('; ')}`);
  }
}

const idle = (): LadderView => ({ state: 'idle', request: null, current: null, steps: [], notes: [], error: null, started_at: null, finished_at: null });

async function readBefore(api: SelfClient): Promise<Before> {
  const [pooling, cache, settings] = await Promise.all([
    must<Before['pooling']>(api, 'GET', '/lab/v1/pooling'),
    must<Before['cache']>(api, 'GET', '/lab/v1/cache'),
    must<Before['settings']>(api, 'GET', '/lab/v1/settings'),
  ]);
  const topo = (await must<TopologyReply>(api, 'GET', '/lab/v1/topology')).body;
  return {
    pooling: { mode: pooling.body.mode, pool_size: pooling.body.pool_size },
    cache: { mode: cache.body.mode, ttl_s: cache.body.ttl_s },
    settings: { read_policy: settings.body.read_policy, prepared_statements: settings.body.prepared_statements },
    replicaShards: topo.shards.filter((s) => s.replicas.length > 0).length,
    shardCount: topo.shards.length,
    replicated: new Set(),
    added: null,
    droppedIndex: false,
  };
}

/** Waits until a job the climb started has succeeded; a failed or cancelled job is an error naming why. */
async function waitForJob(api: SelfClient, id: string, signal?: AbortSignal): Promise<void> {
  const jobPath = `/lab/v1/jobs/${encodeURIComponent(id)}`;
  for (;;) {
    if (signal?.aborted) await api.call('POST', `${jobPath}/cancel`);
    const job = (await must<JobView>(api, 'GET', jobPath)).body;
    if (job.state === 'succeeded') return;
    if (!['queued', 'running'].includes(job.state)) throw new Error(`${jobPath}: the job ${job.state}${job.error ? `: ${job.error.message}` : ''}`);
    await sleep(500);
  }
}

/** What is switched on now, in words, for the step's `setup` line. */
function onNow(b: Before, climb: { noIndex: boolean; shards: number | null }): string[] {
  const on: string[] = [];
  if (climb.noIndex) on.push('no list index');
  if (b.pooling.mode !== 'off') on.push(`PgBouncer ${b.pooling.mode} mode`);
  if (!b.settings.prepared_statements) on.push('unnamed statements');
  if (b.replicaShards) on.push(`${b.replicaShards} replica${b.replicaShards === 1 ? '' : 's'}`);
  if (b.settings.read_policy !== 'primary') on.push(`reads: ${b.settings.read_policy}`);
  if (b.cache.mode !== 'off') on.push(`cache ${b.cache.mode}`);
  if (climb.shards) on.push(`${climb.shards} shards`);
  return on.length ? on : ['nothing: primaries only'];
}

function emptyStep(rung: Rung, skipped: string): LadderStep {
  return {
    rung,
    setup: [],
    run_id: null,
    skipped,
    requests: 0,
    errors: 0,
    requests_per_s: 0,
    p50_ms: null,
    p99_ms: null,
    runs_rps: [],
    spread_percent: null,
    within_noise: null,
    rps_ratio: null,
    p99_ratio: null,
    stale_reads: 0,
    replica_reads: 0,
    lag_bytes_max: null,
    lag_ms_max: null,
  };
}

function ok(r: SelfReply, what: string): void {
  if (r.status >= 400) throw new Error(`${what} → ${r.status}: ${errorMessage(r)}`);
}

async function must<T>(api: SelfClient, method: string, path: string, body?: unknown): Promise<SelfReply<T>> {
  const r = await api.call<T>(method, path, body);
  ok(r, `${method} ${path}`);
  return r;
}

/** The climb of this process (the cache it switches is per process too). */
export const ladder = new Ladder();
