import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';

export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface JobView {
  id: string;
  kind: string;
  state: JobState;
  params: Record<string, unknown>;
  progress: { done: number; total: number };
  result?: Record<string, unknown>;
  error?: { message: string };
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface JobContext {
  signal: AbortSignal;
  progress(done: number, total?: number): void;
}

export type JobRun = (ctx: JobContext) => Promise<Record<string, unknown> | void>;

export class JobCancelledError extends Error {
  constructor() {
    super('cancelled');
  }
}

/** Throws when the job was cancelled; long loops call it between steps. */
export function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new JobCancelledError();
}

interface Entry {
  view: JobView;
  run: JobRun;
  abort: AbortController;
}

export interface JobEvents {
  update: [job: JobView];
}

/**
 * Long work (seeding, and later resharding) runs here, one job at a time, in order: two jobs that both
 * rewrite shards must not interleave. Each reports progress and can be cancelled.
 */
export class JobRegistry extends EventEmitter<JobEvents> {
  private readonly jobs = new Map<string, Entry>();
  private readonly queue: Entry[] = [];
  private running: Entry | null = null;

  submit(kind: string, params: Record<string, unknown>, total: number, run: JobRun): JobView {
    const entry: Entry = {
      view: {
        id: randomUUID(),
        kind,
        state: 'queued',
        params,
        progress: { done: 0, total },
        created_at: new Date().toISOString(),
        started_at: null,
        finished_at: null,
      },
      run,
      abort: new AbortController(),
    };
    this.jobs.set(entry.view.id, entry);
    this.queue.push(entry);
    this.changed(entry);
    this.next();
    return { ...entry.view };
  }

  get(id: string): JobView | null {
    const e = this.jobs.get(id);
    return e ? { ...e.view, progress: { ...e.view.progress } } : null;
  }

  list(): JobView[] {
    return [...this.jobs.values()].map((e) => ({ ...e.view })).reverse();
  }

  /** Queued jobs end at once; a running job is asked to stop and ends as `cancelled` once it has cleaned up. */
  cancel(id: string): JobView | null {
    const e = this.jobs.get(id);
    if (!e) return null;
    if (e.view.state === 'queued') {
      this.queue.splice(this.queue.indexOf(e), 1);
      this.finish(e, 'cancelled');
    } else if (e.view.state === 'running') {
      e.abort.abort();
    }
    return this.get(id);
  }

  /** Resolves when the job has ended (any final state). */
  async wait(id: string): Promise<JobView> {
    const done = (v: JobView | null) => v && !['queued', 'running'].includes(v.state);
    const now = this.get(id);
    if (!now) throw new Error(`no job ${id}`);
    if (done(now)) return now;
    return new Promise((resolve) => {
      const listener = (job: JobView) => {
        if (job.id === id && done(job)) {
          this.off('update', listener);
          resolve(job);
        }
      };
      this.on('update', listener);
    });
  }

  /** Cancels everything (shutdown) and waits for the running job to clean up. */
  async shutdown(): Promise<void> {
    for (const e of [...this.queue]) this.cancel(e.view.id);
    const running = this.running;
    if (running) {
      running.abort.abort();
      await this.wait(running.view.id);
    }
  }

  private next(): void {
    if (this.running) return;
    const entry = this.queue.shift();
    if (!entry) return;
    this.running = entry;
    entry.view.state = 'running';
    entry.view.started_at = new Date().toISOString();
    this.changed(entry);
    const ctx: JobContext = {
      signal: entry.abort.signal,
      progress: (done, total) => {
        entry.view.progress = { done, total: total ?? entry.view.progress.total };
        this.changed(entry);
      },
    };
    entry
      .run(ctx)
      .then((result) => {
        if (result) entry.view.result = result;
        this.finish(entry, entry.abort.signal.aborted ? 'cancelled' : 'succeeded');
      })
      .catch((err: unknown) => {
        if (err instanceof JobCancelledError || entry.abort.signal.aborted) this.finish(entry, 'cancelled');
        else {
          entry.view.error = { message: err instanceof Error ? err.message : String(err) };
          this.finish(entry, 'failed');
        }
      })
      .finally(() => {
        this.running = null;
        this.next();
      });
  }

  private finish(entry: Entry, state: JobState): void {
    entry.view.state = state;
    entry.view.finished_at = new Date().toISOString();
    this.changed(entry);
  }

  private changed(entry: Entry): void {
    this.emit('update', { ...entry.view, progress: { ...entry.view.progress } });
  }
}
