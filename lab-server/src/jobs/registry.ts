import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';

export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface JobView {
  id: string;
  kind: string;
  state: JobState;
  params: Record<string, unknown>;
  progress: { done: number; total: number };
  /** The step a multi-step job is in (e.g. a reshard's plan, provision, copy, verify, cutover, cleanup). */
  phase?: string;
  /** Set while the job holds before a step and waits for POST /lab/v1/jobs/:id/continue. */
  waiting?: string;
  /** What the job did, step by step, for the learner to read (newest last). */
  notes?: { at: string; phase: string | null; message: string }[];
  result?: Record<string, unknown>;
  error?: { message: string };
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface JobContext {
  signal: AbortSignal;
  progress(done: number, total?: number): void;
  phase(name: string): void;
  note(message: string): void;
  /** Holds the job (state `running`, `waiting: true`) until POST …/continue, or throws when it is cancelled. */
  hold(label: string): Promise<void>;
}

const MAX_NOTES = 200;

export type JobRun = (ctx: JobContext) => Promise<Record<string, unknown> | void>;

/** Thrown by a job that honoured a cancel; `result` is what it reports about undoing its work. */
export class JobCancelledError extends Error {
  constructor(readonly result?: Record<string, unknown>) {
    super('cancelled');
  }
}

/** The abort reason when the lab is shutting down rather than a learner cancelling. */
const SHUTDOWN = 'shutdown';

/** Whether a job's signal was aborted by the lab shutting down (finish quickly) rather than by a cancel (undo). */
export const isShutdown = (signal: AbortSignal): boolean => signal.aborted && signal.reason === SHUTDOWN;

/** Throws when the job was cancelled; long loops call it between steps. */
export function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new JobCancelledError();
}

interface Entry {
  view: JobView;
  run: JobRun;
  abort: AbortController;
  resume?: () => void;
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
    return e ? snapshot(e.view) : null;
  }

  /** Jobs from before a restart, shown in the history; they cannot run again. */
  restore(views: JobView[]): void {
    for (const view of views) {
      if (this.jobs.has(view.id)) continue;
      this.jobs.set(view.id, { view, run: async () => undefined, abort: new AbortController() });
    }
  }

  /** The running job, if any (resharding refuses to start while a seed runs, and the reverse). */
  get current(): JobView | null {
    return this.running ? snapshot(this.running.view) : null;
  }

  list(): JobView[] {
    return [...this.jobs.values()].map((e) => snapshot(e.view)).sort((a, b) => (a.created_at < b.created_at ? 1 : -1));
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

  /** Lets a job that holds before a step go on; false when it is not holding. */
  resume(id: string): boolean {
    const e = this.jobs.get(id);
    if (!e?.resume) return false;
    e.resume();
    return true;
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
      running.abort.abort(SHUTDOWN);
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
      phase: (name) => {
        entry.view.phase = name;
        this.changed(entry);
      },
      hold: (label) =>
        new Promise<void>((resolve, reject) => {
          if (entry.abort.signal.aborted) return reject(new JobCancelledError());
          entry.view.waiting = label;
          this.changed(entry);
          const done = (fn: () => void) => () => {
            delete entry.view.waiting;
            delete entry.resume;
            entry.abort.signal.removeEventListener('abort', onAbort);
            this.changed(entry);
            fn();
          };
          const onAbort = done(() => reject(new JobCancelledError()));
          entry.resume = done(resolve);
          entry.abort.signal.addEventListener('abort', onAbort, { once: true });
        }),
      note: (message) => {
        const notes = (entry.view.notes ??= []);
        notes.push({ at: new Date().toISOString(), phase: entry.view.phase ?? null, message });
        if (notes.length > MAX_NOTES) notes.shift();
        this.changed(entry);
      },
    };
    entry
      .run(ctx)
      .then((result) => {
        if (result) entry.view.result = result;
        // A job that honours a cancel throws; one that returns finished its work (e.g. past a reshard's cutover).
        this.finish(entry, 'succeeded');
      })
      .catch((err: unknown) => {
        if (err instanceof JobCancelledError || entry.abort.signal.aborted) {
          if (err instanceof JobCancelledError && err.result) entry.view.result = err.result;
          this.finish(entry, 'cancelled');
        } else {
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
    this.emit('update', snapshot(entry.view));
  }
}

const snapshot = (v: JobView): JobView => ({ ...v, progress: { ...v.progress }, ...(v.notes ? { notes: [...v.notes] } : {}) });
