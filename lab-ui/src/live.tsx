import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import type { JobView, MetricsTick, Topology } from './types';

/** Named events on `GET /lab/v1/events`; EventSource needs each name it listens to. */
const CHANNELS = ['topology', 'job', 'settings', 'metrics', 'loadtest', 'progress'] as const;
export type Channel = (typeof CHANNELS)[number];

type Listener = (data: unknown) => void;

/**
 * The page's view of the lab: `connecting` until the first contact, `live`, `lost` when the lab stopped answering
 * (everything on the page is then as it was, not as it is), and `back` for a few seconds once it answers again.
 */
export type LabStatus = 'connecting' | 'live' | 'lost' | 'back';

export interface Live {
  status: LabStatus;
  connected: boolean;
  /** Grows each time the lab comes back, so views that fetched their own data fetch it again. */
  epoch: number;
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
const BACK_SHOWN_MS = 4000;

/**
 * The page's one connection to the lab's event stream, shared by every widget (browsers allow only six
 * HTTP/1.1 streams per site, across all tabs). EventSource reconnects by itself after an outage.
 */
export function LiveProvider({ children }: { children: ReactNode }) {
  const listeners = useRef(new Map<Channel, Set<Listener>>());
  const metrics = useRef<MetricsTick[]>([]);
  const [status, setStatus] = useState<LabStatus>('connecting');
  const [epoch, setEpoch] = useState(0);
  const [topology, setTopology] = useState<Topology | null>(null);
  const [jobs, setJobs] = useState<JobView[]>([]);
  const [seen, setSeen] = useState<ReadonlySet<Channel>>(new Set());

  useEffect(() => {
    const source = new EventSource('/lab/v1/events');
    const markSeen = (c: Channel) => setSeen((s) => (s.has(c) ? s : new Set([...s, c])));
    let everLive = false;
    let backTimer: ReturnType<typeof setTimeout> | undefined;
    // EventSource retries by itself; an error while it does means the lab is gone (or was never there).
    source.onerror = () => {
      clearTimeout(backTimer);
      setStatus(everLive ? 'lost' : 'connecting');
    };
    // Every (re)connection starts with a hello carrying the whole state: the page is current again.
    source.addEventListener('hello', (e) => {
      const hello = JSON.parse((e as MessageEvent<string>).data) as { topology: Topology; jobs: JobView[] };
      setTopology(hello.topology);
      setJobs(hello.jobs);
      if (everLive) {
        setStatus('back');
        setEpoch((n) => n + 1);
        backTimer = setTimeout(() => setStatus('live'), BACK_SHOWN_MS);
      } else {
        setStatus('live');
      }
      everLive = true;
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
    return () => {
      clearTimeout(backTimer);
      source.close();
    };
  }, []);

  const subscribe = useCallback((channel: Channel, listener: Listener) => {
    const set = listeners.current.get(channel) ?? new Set();
    listeners.current.set(channel, set);
    set.add(listener);
    return () => void set.delete(listener);
  }, []);

  return (
    <LiveContext.Provider
      value={{ status, connected: status === 'live' || status === 'back', epoch, topology, jobs, seen, subscribe, metrics: metrics.current }}
    >
      {children}
    </LiveContext.Provider>
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
