import { setTimeout as sleep } from 'node:timers/promises';
import type { LadderRequest, LadderStep, LadderView, Rung } from '../contracts/ladder.js';
import { ConflictError } from '../domain/errors.js';
import { errorMessage, type SelfClient, type SelfReply } from '../net/self-client.js';

/** What the climb reads back from the lab's own API before it changes anything, to put it back afterwards. */
interface Before {
  pooling: { mode: string; pool_size: number | null };
  cache: { mode: string; ttl_s: number };
  settings: { read_policy: string; prepared_statements: boolean };
  /** Shards with a replica now. */
  replicaShards: number;
  /** Shards the climb built a replica for: only those are removed afterwards. */
  replicated: Set<string>;
}

interface RunReply {
  id: string;
  state: string;
  error: string | null;
  summary: { requests: number; errors: number; requests_per_s: number; latency_ms: { p50: number; p99: number } | null } | null;
}
interface TopologyReply {
  shards: { name: string; replicas: unknown[] }[];
  reads: { stale_reads: number; replica_reads: number };
}
interface MetricsReply {
  latest: { shards: { replicas: { lag_ms: number | null; lag_bytes: number | null }[] }[] } | null;
}

/** Why a rung could not be set up here; the climb records it and goes on with the next rung. */
class Skip extends Error {}

const ratio = (a: number | null | undefined, b: number | null | undefined) => (a == null || !b ? null : Math.round((a / b) * 100) / 100);

/**
 * The scaling ladder measured in one run: the same load test on each rung the learner picked, each rung keeping the
 * ones below it switched on — baseline (reads from primaries, no pooling, no cache), PgBouncer in transaction mode
 * (with the API's statements unnamed, which that mode needs), a replica per shard serving reads, cache-aside for
 * users by id. It goes through the lab's own HTTP API, like a learner with curl, and puts everything it switched
 * back as it was. Ratios are against the first rung measured, in the same run, on the same machine.
 */
export class Ladder {
  private view: LadderView = idle();
  private abort: AbortController | null = null;

  get(): LadderView {
    return structuredClone(this.view);
  }

  /** Starts a climb in the background; one at a time. */
  start(api: SelfClient, req: LadderRequest): LadderView {
    if (this.view.state === 'running')
      throw new ConflictError('ladder_running', 'A climb is already running; wait for it or cancel it (DELETE /lab/v1/ladder).');
    this.abort = new AbortController();
    this.view = { state: 'running', request: req, current: null, steps: [], notes: [], error: null, started_at: new Date().toISOString(), finished_at: null };
    void this.climb(api, req, this.abort.signal);
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

  private async climb(api: SelfClient, req: LadderRequest, signal: AbortSignal): Promise<void> {
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
          setup = await this.setUp(api, rung, req, before);
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
      if (before) await this.restore(api, before).catch((err: unknown) => this.note(`putting the lab back failed: ${(err as Error).message}`));
      this.view.current = null;
      this.view.finished_at = new Date().toISOString();
      this.view.state = ended;
      this.abort = null;
    }
  }

  /** Switches the rung on (the rungs below stay on) and says what is on now. */
  private async setUp(api: SelfClient, rung: Rung, req: LadderRequest, before: Before): Promise<string[]> {
    switch (rung) {
      case 'baseline':
        await must(api, 'PUT', '/lab/v1/pooling', { mode: 'off' });
        await must(api, 'PUT', '/lab/v1/cache', { mode: 'off' });
        await must(api, 'PUT', '/lab/v1/settings', { read_policy: 'primary' });
        this.note('baseline: pooling off, cache off, reads from the primaries');
        break;
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
    return onNow(await readBefore(api));
  }

  /** Runs the load test on the rung, sampling the replicas' lag every second while it writes. */
  private async measure(api: SelfClient, rung: Rung, setup: string[], req: LadderRequest, signal: AbortSignal): Promise<LadderStep> {
    const reads0 = (await must<TopologyReply>(api, 'GET', '/lab/v1/topology')).body.reads;
    const started = await must<RunReply>(api, 'POST', '/lab/v1/loadtests', {
      scenario: req.scenario,
      duration_s: req.duration_s,
      connections: req.connections,
    });
    const id = started.body.id;
    let lagBytes: number | null = null;
    let lagMs: number | null = null;
    let run: RunReply;
    for (;;) {
      if (signal.aborted) await api.call('POST', `/lab/v1/loadtests/${encodeURIComponent(id)}/cancel`);
      run = (await must<RunReply>(api, 'GET', `/lab/v1/loadtests/${encodeURIComponent(id)}`)).body;
      if (run.state === 'running') {
        const m = (await must<MetricsReply>(api, 'GET', '/lab/v1/metrics')).body.latest;
        for (const r of m?.shards.flatMap((s) => s.replicas) ?? []) {
          if (r.lag_bytes !== null) lagBytes = Math.max(lagBytes ?? 0, r.lag_bytes);
          if (r.lag_ms !== null) lagMs = Math.max(lagMs ?? 0, r.lag_ms);
        }
      }
      if (!['preparing', 'running'].includes(run.state)) break;
      await sleep(500);
    }
    if (signal.aborted) throw new Error('cancelled');
    if (run.state !== 'finished' || !run.summary) throw new Error(`the ${rung} rung’s load test ${run.state}${run.error ? `: ${run.error}` : ''}`);
    const reads1 = (await must<TopologyReply>(api, 'GET', '/lab/v1/topology')).body.reads;
    const first = this.view.steps.find((s) => !s.skipped);
    const s = run.summary;
    return {
      rung,
      setup,
      run_id: id,
      skipped: null,
      requests: s.requests,
      errors: s.errors,
      requests_per_s: Math.round(s.requests_per_s),
      p50_ms: s.latency_ms ? Math.round(s.latency_ms.p50 * 100) / 100 : null,
      p99_ms: s.latency_ms ? Math.round(s.latency_ms.p99 * 100) / 100 : null,
      rps_ratio: first ? ratio(s.requests_per_s, first.requests_per_s) : 1,
      p99_ratio: first ? ratio(s.latency_ms?.p99, first.p99_ms) : 1,
      stale_reads: reads1.stale_reads - reads0.stale_reads,
      replica_reads: reads1.replica_reads - reads0.replica_reads,
      lag_bytes_max: lagBytes,
      lag_ms_max: lagMs,
    };
  }

  /** Puts back what the climb changed: cache, pooling, settings, and the replicas it built. */
  private async restore(api: SelfClient, b: Before): Promise<void> {
    await must(api, 'PUT', '/lab/v1/cache', b.cache.mode === 'off' ? { mode: 'off' } : b.cache);
    await must(api, 'PUT', '/lab/v1/pooling', b.pooling.mode === 'off' ? { mode: 'off' } : { mode: b.pooling.mode, pool_size: b.pooling.pool_size ?? 10 });
    await must(api, 'PUT', '/lab/v1/settings', b.settings);
    for (const shard of b.replicated) await must(api, 'DELETE', `/lab/v1/shards/${encodeURIComponent(shard)}/replicas`);
    this.note('put back: cache, pooling, read policy and prepared statements as they were; the replicas built for the climb removed');
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
    replicated: new Set(),
  };
}

/** What is switched on now, in words, for the step's `setup` line. */
function onNow(b: Before): string[] {
  const on: string[] = [];
  if (b.pooling.mode !== 'off') on.push(`PgBouncer ${b.pooling.mode} mode`);
  if (!b.settings.prepared_statements) on.push('unnamed statements');
  if (b.replicaShards) on.push(`${b.replicaShards} replica${b.replicaShards === 1 ? '' : 's'}`);
  if (b.settings.read_policy !== 'primary') on.push(`reads: ${b.settings.read_policy}`);
  if (b.cache.mode !== 'off') on.push(`cache ${b.cache.mode}`);
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
