import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import type { JobView, MetricsTick, Topology } from './types';

/** Named events on `GET /lab/v1/events`; EventSource needs each name it listens to. */
const CHANNELS = ['topology', 'job', 'settings', 'metrics', 'loadtest', 'progress'] as const;
export type Channel = (typeof CHANNELS)[number];

type Listener = (data: unknown) => void;

export interface Live {
  connected: boolean;
  topology: Topology | null;
  jobs: JobView[];
  /** Channels that have delivered at least one event on this page. */
  seen: ReadonlySet<Channel>;
  subscribe(channel: Channel, listener: Listener): () => void;
  /** The last few minutes of metrics ticks, oldest first (kept outside React state: charts read it directly). */
  metrics: MetricsTick[];
}

const LiveContext = createContext<Live | null>(null);
const METRICS_KEPT = 300;

/**
 * The page's one connection to the lab's event stream, shared by every widget (browsers allow only six
 * HTTP/1.1 streams per site, across all tabs). EventSource reconnects by itself after an outage.
 */
export function LiveProvider({ children }: { children: ReactNode }) {
  const listeners = useRef(new Map<Channel, Set<Listener>>());
  const metrics = useRef<MetricsTick[]>([]);
  const [connected, setConnected] = useState(false);
  const [topology, setTopology] = useState<Topology | null>(null);
  const [jobs, setJobs] = useState<JobView[]>([]);
  const [seen, setSeen] = useState<ReadonlySet<Channel>>(new Set());

  useEffect(() => {
    const source = new EventSource('/lab/v1/events');
    const markSeen = (c: Channel) => setSeen((s) => (s.has(c) ? s : new Set([...s, c])));
    source.onopen = () => setConnected(true);
    source.onerror = () => setConnected(false);
    source.addEventListener('hello', (e) => {
      const hello = JSON.parse((e as MessageEvent<string>).data) as { topology: Topology; jobs: JobView[] };
      setConnected(true);
      setTopology(hello.topology);
      setJobs(hello.jobs);
    });
    for (const channel of CHANNELS) {
      source.addEventListener(channel, (e) => {
        const data: unknown = JSON.parse((e as MessageEvent<string>).data);
        markSeen(channel);
        if (channel === 'topology') setTopology(data as Topology);
        if (channel === 'job') {
          const job = data as JobView;
          setJobs((all) => [job, ...all.filter((j) => j.id !== job.id)].slice(0, 50));
        }
        if (channel === 'metrics') {
          metrics.current.push(data as MetricsTick);
          if (metrics.current.length > METRICS_KEPT) metrics.current.splice(0, metrics.current.length - METRICS_KEPT);
        }
        for (const l of listeners.current.get(channel) ?? []) l(data);
      });
    }
    return () => source.close();
  }, []);

  const subscribe = useCallback((channel: Channel, listener: Listener) => {
    const set = listeners.current.get(channel) ?? new Set();
    listeners.current.set(channel, set);
    set.add(listener);
    return () => void set.delete(listener);
  }, []);

  return (
    <LiveContext.Provider value={{ connected, topology, jobs, seen, subscribe, metrics: metrics.current }}>{children}</LiveContext.Provider>
  );
}

export function useLive(): Live {
  const live = useContext(LiveContext);
  if (!live) throw new Error('useLive outside LiveProvider');
  return live;
}

/** Calls `handler` for every event on `channel` while the component is mounted. */
export function useChannel<T>(channel: Channel, handler: (data: T) => void): void {
  const { subscribe } = useLive();
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => subscribe(channel, (d) => ref.current(d as T)), [channel, subscribe]);
}

/** The newest state of a job, from the stream. */
export function useJob(id: string | null): JobView | null {
  const { jobs } = useLive();
  return id ? (jobs.find((j) => j.id === id) ?? null) : null;
}

/** Waits for a job to end, from the stream (falling back to asking, in case its last event came before we listened). */
export function waitForJob(live: Live, id: string): Promise<JobView> {
  return new Promise((resolve) => {
    const done = (j: JobView) => !['queued', 'running'].includes(j.state);
    let finished = false;
    const finish = (j: JobView) => {
      if (finished) return;
      finished = true;
      unsubscribe();
      clearInterval(timer);
      resolve(j);
    };
    const unsubscribe = live.subscribe('job', (d) => {
      const j = d as JobView;
      if (j.id === id && done(j)) finish(j);
    });
    const timer = setInterval(() => {
      void fetch(`/lab/v1/jobs/${id}`)
        .then((r) => r.json() as Promise<JobView>)
        .then((j) => done(j) && finish(j))
        .catch(() => undefined);
    }, 2000);
  });
}
