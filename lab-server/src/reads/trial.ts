import type { ReadPolicy, ReadStats } from '../cluster/reads.js';
import type { ReadLoadRequest, ReadLoadResult, ReadLoadTrial } from '../contracts/read-load.js';
import { ConflictError } from '../domain/errors.js';
import { runLoadTest } from '../loadtest/over-http.js';
import type { SelfClient } from '../net/self-client.js';

/** What one policy did to `pairs` write-then-read pairs, as a client saw it and as the read router counted it. */
export interface PolicyResult {
  policy: ReadPolicy;
  pairs: number;
  /** Reads that answered 404 for a user the same client had just created (201): the client's stale reads. */
  not_found: number;
  /** Requests that failed otherwise (neither the expected status nor a stale 404). */
  errors: number;
  /** The read router's counts over the run (under prefork, as far as the workers have reported them). */
  primary_reads: number;
  replica_reads: number;
  stale_reads: number;
  ms: number;
}

export interface ReadTrial {
  finished_at: string;
  pairs: number;
  concurrency: number;
  /** The replicas as they were at the start: their shard, lag and apply delay. */
  replicas: { shard: string; replica: string; lag_bytes: number | null; apply_delay_ms: number | null }[];
  results: PolicyResult[];
}

/** The parts of the lab a trial uses: the read policy it switches (and puts back), the read counts, the replicas. */
export interface TrialHost {
  readPolicy(): ReadPolicy;
  setReadPolicy(policy: ReadPolicy): Promise<void>;
  readCounts(): ReadStats;
  replicas(): Promise<ReadTrial['replicas']>;
}

const CONCURRENCY = 8;

/**
 * Write-then-read trials: the pattern the original's load tests hid (they accepted 404). Each pair creates a
 * user through the API, reads it back by id at once, then deletes it; run once per read policy, so the
 * original's behaviour (`replica`: async replicas, no read-your-writes) sits next to the fix.
 */
export class ReadTrials {
  private latest: ReadTrial | null = null;
  private latestLoad: ReadLoadTrial | null = null;
  private running = false;

  last(): ReadTrial | null {
    return this.latest;
  }

  lastUnderLoad(): ReadLoadTrial | null {
    return this.latestLoad;
  }

  forget(): void {
    this.latest = null;
    this.latestLoad = null;
  }

  /**
   * The same comparison under the lab's own load: one load test of a scenario whose every connection creates a
   * user and reads it back at once, under the original's `replica` policy and then under read-your-writes, with the
   * read router's counts over each run beside the run's failed requests. The policy is put back afterwards.
   */
  async runUnderLoad(host: TrialHost, api: SelfClient, req: ReadLoadRequest): Promise<ReadLoadTrial> {
    return this.exclusive(host, async () => {
      const replicas = await host.replicas();
      const results: ReadLoadResult[] = [];
      for (const policy of ['replica', 'read-your-writes'] as const) {
        await host.setReadPolicy(policy);
        const counts = host.readCounts();
        const run = await runLoadTest(api, { ...req, warmup_s: 0 });
        const after = host.readCounts();
        results.push({
          policy,
          run_id: run.id,
          requests: run.summary!.requests,
          errors: run.summary!.errors,
          requests_per_s: Math.round(run.summary!.requests_per_s),
          primary_reads: after.primary_reads - counts.primary_reads,
          replica_reads: after.replica_reads - counts.replica_reads,
          stale_reads: after.stale_reads - counts.stale_reads,
        });
      }
      this.latestLoad = { finished_at: new Date().toISOString(), ...req, replicas, results };
      return this.latestLoad;
    });
  }

  async run(host: TrialHost, api: SelfClient, pairs: number, policies: ReadPolicy[]): Promise<ReadTrial> {
    return this.exclusive(host, async () => {
      const replicas = await host.replicas();
      const results: PolicyResult[] = [];
      for (const policy of policies) {
        await host.setReadPolicy(policy);
        results.push(await runPolicy(host, api, policy, pairs));
      }
      this.latest = { finished_at: new Date().toISOString(), pairs, concurrency: CONCURRENCY, replicas, results };
      return this.latest;
    });
  }

  /** One trial at a time (each switches the read policy), and the policy put back whatever happens. */
  private async exclusive<T>(host: TrialHost, fn: () => Promise<T>): Promise<T> {
    if (this.running) throw new ConflictError('trial_running', 'A write-then-read trial is already running; wait for it to finish.');
    this.running = true;
    const before = host.readPolicy();
    try {
      return await fn();
    } finally {
      await host.setReadPolicy(before);
      this.running = false;
    }
  }
}

async function runPolicy(host: TrialHost, api: SelfClient, policy: ReadPolicy, pairs: number): Promise<PolicyResult> {
  const counts = host.readCounts();
  const started = performance.now();
  let next = 0;
  let notFound = 0;
  let errors = 0;
  const worker = async () => {
    while (next < pairs) {
      const n = next++;
      const created = await api.call<{ id?: string }>('POST', '/api/v1/users', { first_name: 'Trial', last_name: `Pair ${n}` });
      const id = created.body?.id;
      if (created.status !== 201 || !id) {
        errors++;
        continue;
      }
      const read = await api.call('GET', `/api/v1/users/${id}`);
      if (read.status === 404) notFound++;
      else if (read.status !== 200) errors++;
      // The delete goes to the primary, whatever the read policy: the trial leaves no rows behind.
      const gone = await api.call('DELETE', `/api/v1/users/${id}`);
      if (gone.status !== 204) errors++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, pairs) }, worker));
  const after = host.readCounts();
  return {
    policy,
    pairs,
    not_found: notFound,
    errors,
    primary_reads: after.primary_reads - counts.primary_reads,
    replica_reads: after.replica_reads - counts.replica_reads,
    stale_reads: after.stale_reads - counts.stale_reads,
    ms: Math.round(performance.now() - started),
  };
}
