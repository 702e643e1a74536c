import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { ConflictError, NotFoundError, UnavailableError } from '../domain/errors.js';
import type { RunData } from './ops.js';
import { CpuWatch, type RunProcesses } from './cpu.js';
import { startGenerator } from './generator.js';
import type { LoadSummary, TickSample, Totals } from './protocol.js';
import { aroundMark, planRun, type RunMark, type RunRequest, type RunView } from './run.js';
import type { Scenario } from './scenarios.js';
import type { RunStore } from './store.js';

/** After its duration a run gets this long to finish in-flight requests and report before it is killed. */
const GRACE_MS = 30_000;
/** How long a cancelled generator may take to report what it did before SIGKILL. */
const CANCEL_KILL_MS = 3_000;

export interface Preparation {
  data: RunData;
  notes: string[];
}

export interface EngineEvents {
  update: [run: RunView];
}

interface Current {
  view: RunView;
  timeline: TickSample[];
  child: ChildProcess | null;
  abort: AbortController;
  /** Resolves when the run has reached a final state and is saved. */
  ended: Promise<void>;
  /** What a generator that failed (killed at its hard limit) did until then, with the CPU split: kept with the failure. */
  partial: LoadSummary | null;
}

/**
 * Runs load tests, one at a time: prepares the data a scenario reads (ids that exist), forks the load
 * generator, follows its ticks, and records the run in the catalog. Every run ends by itself (its duration,
 * then a hard limit); cancel kills the generator by its pid.
 */
export class LoadTestEngine extends EventEmitter<EngineEvents> {
  private current: Current | null = null;
  /** The lab's own loopback URL; set once the HTTP server listens. */
  target = '';
  /** The tuning knobs in force now, recorded with each run; set by start-up, which knows the knob panel. */
  conditions: () => Promise<Record<string, string>> = async () => ({});
  /** The API's and the databases' processes now, whose CPU a run measures; set by start-up, which knows them. */
  processes: () => Omit<RunProcesses, 'generator'> = () => ({ api: [{ name: 'main', pid: process.pid }], databases: [] });

  constructor(
    private readonly store: RunStore,
    private readonly prepare: (scenario: Scenario, signal: AbortSignal, note: (text: string) => void, seed: boolean) => Promise<Preparation>,
  ) {
    super();
  }

  /** Marks runs that a previous lab process left unfinished. */
  async init(): Promise<void> {
    await this.store.closeAbandoned();
  }

  running(): RunView | null {
    return this.current ? this.snapshot(this.current) : null;
  }

  /** One run at a time: a second one is a conflict naming the first. */
  assertIdle(): void {
    if (this.current) {
      throw new ConflictError(
        'loadtest_running',
        `Load test ${this.current.view.id} (${this.current.view.scenario}) is still running; wait for it or cancel it first.`,
        {
          id: this.current.view.id,
        },
      );
    }
  }

  start(req: RunRequest): RunView {
    this.assertIdle();
    if (!this.target) throw new UnavailableError('not_ready', 'The lab is not listening yet.');
    const params = planRun(req);
    const view: RunView = {
      id: randomUUID(),
      scenario: req.scenario.name,
      state: 'preparing',
      params,
      target: this.target,
      notes: [],
      conditions: {},
      marks: [],
      pid: null,
      progress: emptyProgress(params.duration_s),
      summary: null,
      error: null,
      created_at: new Date().toISOString(),
      started_at: null,
      finished_at: null,
    };
    const current: Current = { view, timeline: [], child: null, abort: new AbortController(), ended: Promise.resolve(), partial: null };
    this.current = current;
    current.ended = this.execute(current, req.scenario, req.seed !== false);
    this.changed(current);
    return this.snapshot(current);
  }

  async get(id: string): Promise<RunView | null> {
    if (this.current?.view.id === id) return { ...this.snapshot(this.current), timeline: [...this.current.timeline] };
    return this.store.get(id);
  }

  async list(limit = 100): Promise<RunView[]> {
    const saved = await this.store.list(limit);
    if (!this.current) return saved;
    return [this.snapshot(this.current), ...saved.filter((r) => r.id !== this.current!.view.id)];
  }

  /** Stops the running test: the generator gets SIGTERM (it reports what it did), then SIGKILL if it lingers. */
  cancel(id: string): RunView {
    const c = this.current;
    if (!c || c.view.id !== id) throw new NotFoundError(`No running load test ${id}.`, { id });
    c.abort.abort();
    const pid = c.child?.pid;
    if (pid !== undefined && c.child!.exitCode === null) {
      process.kill(pid, 'SIGTERM');
      setTimeout(() => {
        if (c.child?.exitCode === null && c.child.signalCode === null) process.kill(pid, 'SIGKILL');
      }, CANCEL_KILL_MS).unref();
    }
    return this.snapshot(c);
  }

  /**
   * Marks an event on the running test's timeline (nothing when none runs): the chart draws it. For a change
   * that takes a while, call the answer when it is done: the mark then says until when (`until_s`).
   */
  mark(kind: string, label: string): () => void {
    const c = this.current;
    if (c?.view.state !== 'running') return () => undefined;
    const mark: RunMark = { t_s: c.view.progress?.elapsed_s ?? 0, kind, label };
    c.view.marks.push(mark);
    this.changed(c);
    return () => {
      if (this.current !== c || c.view.state !== 'running') return;
      mark.until_s = c.view.progress?.elapsed_s ?? mark.t_s;
      this.changed(c);
    };
  }

  /** Waits for the current run (if any) to end; used by tests and shutdown. */
  async wait(): Promise<void> {
    await this.current?.ended;
  }

  async shutdown(): Promise<void> {
    if (this.current) this.cancel(this.current.view.id);
    await this.wait();
  }

  private async execute(c: Current, scenario: Scenario, seed: boolean): Promise<void> {
    try {
      c.view.conditions = await this.conditions().catch((err: unknown) => {
        c.view.notes.push(`could not record the tuning knobs: ${err instanceof Error ? err.message : String(err)}`);
        return {};
      });
      await this.store.save(c.view, c.timeline);
      const prep = await this.prepare(
        scenario,
        c.abort.signal,
        (text) => {
          c.view.notes.push(text);
          this.changed(c);
        },
        seed,
      );
      if (c.abort.signal.aborted) return this.finish(c, 'cancelled', null, null);
      c.view.notes = [...c.view.notes, ...prep.notes];
      const summary = await this.generate(c, scenario, prep.data);
      if (c.abort.signal.aborted) return await this.finish(c, 'cancelled', summary, null);
      await this.finish(c, 'finished', summary, null);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await this.finish(c, c.abort.signal.aborted ? 'cancelled' : 'failed', c.partial, message);
    }
  }

  /** Forks the generator and resolves with its summary (a cancelled run: what it did until then). */
  private async generate(c: Current, scenario: Scenario, data: RunData): Promise<LoadSummary> {
    // Sampled at each measured second, so the split covers what the summary counts (not the warm-up).
    const cpu = new CpuWatch(() => ({ generator: c.child?.pid ?? null, ...this.processes() }));
    const generator = startGenerator(
      { url: this.target, flows: scenario.flows, phases: c.view.params.phases, warmup_s: c.view.params.warmup_s, data },
      (sample, totals) => {
        cpu.tick();
        this.onTick(c, sample, totals);
      },
      (c.view.params.warmup_s + c.view.params.duration_s) * 1000 + GRACE_MS,
      (w) => {
        c.view.notes.push(
          `Warm-up: ${w.seconds} s of reads (${w.requests.toLocaleString('en-US')} requests${w.errors ? `, ${w.errors} failed` : ''}) to open the lab's connection pools; not counted.`,
        );
        this.changed(c);
      },
    );
    c.child = generator.child;
    c.view.pid = generator.child.pid ?? null;
    c.view.state = 'running';
    c.view.started_at = new Date().toISOString();
    this.changed(c);
    try {
      return { ...(await generator.result), cpu: cpu.split() };
    } catch (err) {
      if (c.abort.signal.aborted) return { ...this.partialSummary(c), cpu: cpu.split() };
      c.partial = { ...this.partialSummary(c), cpu: cpu.split() };
      throw err;
    } finally {
      c.view.pid = null;
    }
  }

  private onTick(c: Current, sample: TickSample, totals: Totals): void {
    c.timeline.push(sample);
    c.view.progress = {
      elapsed_s: sample.t_s,
      duration_s: c.view.params.duration_s,
      phase: sample.phase,
      connections: sample.connections,
      requests: totals.requests,
      errors: totals.errors,
      timeouts: totals.timeouts,
      non2xx: totals.non2xx,
      requests_per_s: sample.requests_per_s,
      latency_ms: sample.latency_ms,
    };
    this.changed(c);
  }

  /** When a killed generator could not report: totals from its last tick, no percentiles. */
  private partialSummary(c: Current): LoadSummary {
    const p = c.view.progress;
    const requests = p?.requests ?? 0;
    const seconds = p?.elapsed_s ?? 0;
    return {
      requests,
      errors: p?.errors ?? 0,
      timeouts: p?.timeouts ?? 0,
      socket_errors: 0,
      non2xx: p?.non2xx ?? 0,
      duration_s: seconds,
      requests_per_s: seconds > 0 ? Math.round((requests / seconds) * 10) / 10 : 0,
      latency_ms: null,
      error_rate: requests > 0 ? (p?.errors ?? 0) / requests : 0,
      status_codes: {},
      ops: {},
      stopped_early: true,
    };
  }

  private async finish(c: Current, state: RunView['state'], summary: LoadSummary | null, error: string | null): Promise<void> {
    c.view.state = state;
    c.view.summary = summary;
    c.view.error = error;
    c.view.progress = null;
    c.view.pid = null;
    c.view.finished_at = new Date().toISOString();
    for (const m of c.view.marks) {
      const around = aroundMark(c.timeline, m);
      if (around) m.around = around;
    }
    try {
      await this.store.save(c.view, c.timeline);
    } catch (err) {
      c.view.notes.push(`could not save this run in the catalog: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.current = null;
    this.changed(c);
  }

  private snapshot(c: Current): RunView {
    return structuredClone(c.view);
  }

  private changed(c: Current): void {
    this.emit('update', this.snapshot(c));
  }
}

function emptyProgress(duration_s: number): RunView['progress'] {
  return { elapsed_s: 0, duration_s, phase: null, connections: 0, requests: 0, errors: 0, timeouts: 0, non2xx: 0, requests_per_s: 0, latency_ms: null };
}
