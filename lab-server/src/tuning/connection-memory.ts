import { fork, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { type ConnectionMemoryResult, MIN_TRIAL_CONNECTIONS } from '../contracts/connection-memory.js';
import { ConflictError } from '../domain/errors.js';
import { JobCancelledError, type JobContext } from '../jobs/registry.js';
import { execArgvFor } from '../process/fork-args.js';
import { bytes } from '../values/bytes.js';
import type { ServerMessage } from './connection-memory-server.js';

const SERVER = fileURLToPath(new URL(`./connection-memory-server${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url));

/** The original's Fiber: 4 KB per connection, its 512K setting "≈ 2 GB", its default 256K. */
export const ORIGINAL = { bytes_per_connection: 4096, concurrency: 524_288, default_concurrency: 262_144, total: '≈ 2 GB' } as const;
/** File descriptors left to the lab (its pools, logs, the requests it serves) and to the server's own files. */
export const FD_HEADROOM = 1_024;
/** Connections opened at once: more would overflow the listen backlog, and a dropped SYN waits a second to retry. */
const BATCH = 200;
/** Connections opened and closed before the baseline, so that code warming up is not counted per connection. */
const WARM_UP = 100;

export interface FdLimits {
  soft: number | null;
  hard: number | null;
  open: number | null;
}

/** RLIMIT_NOFILE of this process (`ulimit -n`) and the descriptors it holds now; nulls where there is no /proc. */
export function fdLimits(): FdLimits {
  const read = <T>(f: () => T): T | null => {
    try {
      return f();
    } catch {
      return null;
    }
  };
  const line = read(() => /^Max open files\s+(\S+)\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8')));
  const num = (s: string | undefined) => (s === undefined || s === 'unlimited' ? null : Number(s));
  return { soft: num(line?.[1]), hard: num(line?.[2]), open: read(() => readdirSync('/proc/self/fd').length) };
}

const headroomFor = (soft: number) => Math.min(FD_HEADROOM, Math.floor(soft / 4));

/**
 * How many connections to open: the request, unless the soft limit would not leave `FD_HEADROOM` descriptors
 * (a quarter of a small limit) free in this process, which holds the client end of each, and in the server, which
 * inherits the same limit. A limit too low for `MIN_TRIAL_CONNECTIONS` is a conflict: nothing is started.
 */
export function planConnections(requested: number, fd: FdLimits): { connections: number; capped: string | null } {
  if (fd.soft === null) return { connections: requested, capped: null };
  const headroom = headroomFor(fd.soft);
  const room = fd.soft - (fd.open ?? 0) - headroom;
  if (requested <= room) return { connections: requested, capped: null };
  if (room < MIN_TRIAL_CONNECTIONS) {
    throw new ConflictError(
      'fd_limit',
      `ulimit -n is ${fd.soft} and the lab holds ${fd.open ?? '?'} descriptors: too few left for ${MIN_TRIAL_CONNECTIONS} connections. Raise it (ulimit -n) and restart the lab.`,
    );
  }
  return {
    connections: room,
    capped: `ulimit -n is ${fd.soft} and the lab holds ${fd.open ?? '?'} descriptors: ${room} connections leave ${headroom} free`,
  };
}

type Memory = ConnectionMemoryResult['before'];

/** The child, its port, and its memory on demand. */
interface Child {
  process: ChildProcess;
  pid: number;
  port: number;
  memory(): Promise<Memory & { connections: number; from_proc: boolean }>;
}

/** VmRSS from the process table, in bytes; null where there is no /proc. */
function procRss(pid: number): number | null {
  try {
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? null : Number(kb) * 1024;
  } catch {
    return null;
  }
}

function startServer(): Promise<Child> {
  const child = fork(SERVER, [], { execArgv: [...execArgvFor(SERVER), '--expose-gc'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
  const exited = new Promise<never>((_, reject) => {
    child.once('exit', (code, signal) => reject(new Error(`the trial's server exited (${signal ?? `code ${code}`})${stderr ? `: ${stderr.trim()}` : ''}`)));
    // Without a listener a failed fork or IPC send would throw in the lab itself.
    child.once('error', (err) => reject(new Error(`the trial's server: ${err.message}`)));
  });
  exited.catch(() => undefined);
  const next = <T extends ServerMessage['type']>(type: T) =>
    Promise.race([
      exited,
      new Promise<Extract<ServerMessage, { type: T }>>((resolve) => {
        const on = (m: ServerMessage) => {
          if (m.type !== type) return;
          child.off('message', on);
          resolve(m as Extract<ServerMessage, { type: T }>);
        };
        child.on('message', on);
      }),
    ]);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("the trial's server did not listen within 15 s")), 15_000);
  });
  const listening = Promise.race([next('listening'), timeout])
    .catch(async (err: unknown) => {
      await stopServer(child);
      throw err;
    })
    .finally(() => clearTimeout(timer));
  return listening.then(({ port }) => ({
    process: child,
    pid: child.pid!,
    port,
    memory: async () => {
      const sent = next('memory');
      // A failed send ends in the server's exit, which `sent` reports.
      child.send({ type: 'memory' }, () => undefined);
      const m = await sent;
      const rss = procRss(child.pid!);
      return {
        rss_bytes: rss ?? m.rss,
        heap_used_bytes: m.heap_used,
        heap_total_bytes: m.heap_total,
        external_bytes: m.external,
        connections: m.connections,
        from_proc: rss !== null,
      };
    },
  }));
}

/** Stops the trial's server by its pid: SIGTERM, SIGKILL if it lingers; resolves once it has exited. */
async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(child.pid!, sig);
    } catch {
      // It exited meanwhile; `exited` resolves.
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
}

/** One keep-alive connection that has sent a request and read its whole answer, left open. */
function openConnection(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    let got = '';
    socket.setEncoding('latin1');
    const fail = (err: Error) => {
      socket.destroy();
      reject(err);
    };
    socket.once('error', fail);
    socket.once('close', () => fail(new Error('the server closed a connection before answering')));
    socket.once('connect', () => socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n'));
    socket.on('data', (chunk: string) => {
      got += chunk;
      const end = got.indexOf('\r\n\r\n');
      const length = Number(/content-length:\s*(\d+)/i.exec(got)?.[1] ?? Number.NaN);
      if (end < 0 || !(got.length - end - 4 >= length)) return;
      socket.removeAllListeners('data');
      socket.removeAllListeners('close');
      socket.removeAllListeners('error');
      // A socket left without an error listener would crash the lab if the server reset it.
      socket.on('error', () => undefined);
      resolve(socket);
    });
  });
}

/** What a trial reports to its job: connections opened so far, its steps; a cancel stops it between batches. */
export type TrialContext = Pick<JobContext, 'progress' | 'note' | 'signal'>;

async function openConnections(port: number, n: number, into: net.Socket[], ctx?: TrialContext, total = n): Promise<void> {
  for (let i = 0; i < n; i += BATCH) {
    if (ctx?.signal.aborted) throw new JobCancelledError();
    const batch = await Promise.all(Array.from({ length: Math.min(BATCH, n - i) }, () => openConnection(port)));
    into.push(...batch);
    ctx?.progress(into.length, total);
  }
}

const closeAll = (sockets: net.Socket[]) => {
  for (const s of sockets.splice(0)) s.destroy();
};

/**
 * Measures what an open keep-alive connection costs a Node HTTP server: a bare `http` server in a child process,
 * its memory after a settled baseline and again with N connections open (each answered once), then stopped by
 * its pid — also when a step fails.
 */
export async function measureConnectionMemory(requested: number, ctx?: TrialContext): Promise<ConnectionMemoryResult> {
  const started = Date.now();
  const fd = fdLimits();
  const plan = planConnections(requested, fd);
  const sockets: net.Socket[] = [];
  const server = await startServer();
  try {
    await openConnections(server.port, Math.min(WARM_UP, plan.connections), sockets);
    closeAll(sockets);
    const before = await server.memory();
    if (plan.capped) ctx?.note(`Capped: ${plan.capped}.`);
    ctx?.note(
      `Server pid ${server.pid}: ${bytes(before.rss_bytes)} RSS, ${bytes(before.heap_used_bytes)} heap at rest; opening ${plan.connections} connections.`,
    );
    // Half, then the rest: the second half's cost per connection leaves out what the process grows by once.
    const half = Math.floor(plan.connections / 2);
    await openConnections(server.port, half, sockets, ctx, plan.connections);
    const midway = await server.memory();
    await openConnections(server.port, plan.connections - half, sockets, ctx, plan.connections);
    const after = await server.memory();
    ctx?.note(
      `${after.connections} connections open: ${bytes(after.rss_bytes)} RSS, ${bytes(after.heap_used_bytes)} heap. Closing them and stopping the server.`,
    );
    closeAll(sockets);
    const n = plan.connections;
    const rssPer = n > 0 ? (after.rss_bytes - before.rss_bytes) / n : 0;
    const heapPer = n > 0 ? (after.heap_used_bytes - before.heap_used_bytes) / n : 0;
    const extrapolate = (connections: number, label: string) => ({
      connections,
      label,
      rss_bytes: Math.round(before.rss_bytes + rssPer * connections),
      heap_bytes: Math.round(heapPer * connections),
    });
    const available = os.freemem();
    const byFd = fd.soft === null ? null : fd.soft - headroomFor(fd.soft);
    const byMemory = rssPer > 0 ? Math.floor(available / rssPer) : null;
    const strip = ({ connections: _c, from_proc: _p, ...m }: typeof before): Memory => m;
    return {
      finished_at: new Date().toISOString(),
      server: `node:http ${process.version}`,
      server_pid: server.pid,
      requested,
      connections: n,
      open_on_server: after.connections,
      capped: plan.capped,
      rss_source: after.from_proc ? 'proc' : 'process',
      before: strip(before),
      after: strip(after),
      per_connection: {
        rss_bytes: Math.round(rssPer),
        heap_bytes: Math.round(heapPer),
        rss_second_half_bytes: Math.round((after.rss_bytes - midway.rss_bytes) / (n - half)),
      },
      extrapolated: [
        extrapolate(ORIGINAL.concurrency, "the original's Concurrency setting (512K)"),
        extrapolate(ORIGINAL.default_concurrency, "Fiber's default (256K)"),
      ],
      limits: {
        fd_soft: fd.soft,
        fd_hard: fd.hard,
        fds_open_in_lab: fd.open,
        available_memory_bytes: available,
        connections_by_fd: byFd,
        connections_by_memory: byMemory,
        bites_first: byFd !== null && (byMemory === null || byFd <= byMemory) ? 'file descriptors' : 'memory',
      },
      ms: Date.now() - started,
      original: { ...ORIGINAL },
    };
  } finally {
    closeAll(sockets);
    await stopServer(server.process);
  }
}
