import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { CpuPart, CpuSplit } from '../contracts/loadtests.js';

/** /proc reports CPU times in USER_HZ, which Linux fixes at 100 per second for every architecture. */
const TICKS_PER_S = 100;
/** A part whose average use is at least this share of what it can use is at its limit. */
const SATURATED = 0.9;

/** The processes whose CPU a run splits: where the lab's parts run now (they can change during a run). */
export interface RunProcesses {
  generator: number | null;
  /** The API: the main process, then each prefork worker. */
  api: { name: string; pid: number }[];
  /** Each PostgreSQL server's postmaster; its backends are its children. */
  databases: { name: string; pid: number }[];
}

/** One reading: CPU ticks per named process, and the machine's busy and total ticks. */
export interface CpuSample {
  at_ms: number;
  generator: Map<string, Ticks>;
  api: Map<string, Ticks>;
  databases: Map<string, Ticks>;
  machine: { busy: number; total: number };
}

interface Ticks {
  pid: number;
  ticks: number;
}

/** Fields 14–17 of /proc/<pid>/stat (utime, stime, cutime, cstime), counted after the command's closing parenthesis. */
function statTicks(pid: number, withReaped: boolean): number | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const own = Number(f[11]) + Number(f[12]);
    // A process's reaped children land in its cutime/cstime: a postmaster's backends that ended during the run.
    return withReaped ? own + Number(f[13]) + Number(f[14]) : own;
  } catch {
    return null;
  }
}

/** A PostgreSQL server's CPU: its postmaster (with the backends it reaped) and every backend alive now. */
function serverTicks(pid: number): number | null {
  const own = statTicks(pid, true);
  if (own === null) return null;
  let children = '';
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8');
  } catch {
    // A kernel without the children file: the backends count once they end (in the postmaster's cutime).
  }
  const kids = children
    .split(' ')
    .filter(Boolean)
    .map((c) => statTicks(Number(c), true));
  return own + kids.reduce<number>((sum, k) => sum + (k ?? 0), 0);
}

function machineTicks(): { busy: number; total: number } | null {
  let line: string;
  try {
    line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  } catch {
    return null;
  }
  const [, ...nums] = line.trim().split(/\s+/);
  const v = nums.map(Number);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  // idle and iowait are the only fields that are not work.
  return { busy: total - v[3]! - v[4]!, total };
}

/**
 * Reads every process of the run once; null where /proc does not exist (not Linux). Synchronous on purpose:
 * a few small files, read at the moment of the tick, while the generator is known to be alive.
 */
export function sampleCpu(p: RunProcesses): CpuSample | null {
  const at_ms = performance.now();
  const machine = machineTicks();
  if (!machine) return null;
  const read = (list: { name: string; pid: number }[], fn: (pid: number) => number | null) => {
    const out = new Map<string, Ticks>();
    for (const x of list) {
      const ticks = fn(x.pid);
      if (ticks !== null) out.set(`${x.name}@${x.pid}`, { pid: x.pid, ticks });
    }
    return out;
  };
  return {
    at_ms,
    generator: read(p.generator === null ? [] : [{ name: 'generator', pid: p.generator }], (pid) => statTicks(pid, true)),
    // Not the main process's reaped children: those are earlier generators and workers.
    api: read(p.api, (pid) => statTicks(pid, false)),
    databases: read(p.databases, serverTicks),
    machine,
  };
}

const round = (n: number, places = 2) => Math.round(n * 10 ** places) / 10 ** places;

/**
 * The CPU each part used between two samples, and which part was nearest its limit. A process present in only
 * one sample (a worker replaced, a server added mid-run) counts from the sample it first appears in.
 */
export function splitCpu(first: CpuSample, last: CpuSample, cores = os.availableParallelism()): CpuSplit | null {
  const window_s = (last.at_ms - first.at_ms) / 1000;
  if (window_s <= 0) return null;
  const part = (name: 'generator' | 'api' | 'databases', capacity: (n: number) => number): CpuPart => {
    const processes = [...last[name]].map(([key, t]) => {
      const cpu_s = (t.ticks - (first[name].get(key)?.ticks ?? t.ticks)) / TICKS_PER_S;
      return { name: key.slice(0, key.lastIndexOf('@')), pid: t.pid, cpu_s: round(cpu_s), cores: round(cpu_s / window_s) };
    });
    const cpu_s = processes.reduce((a, x) => a + x.cpu_s, 0);
    const capacity_cores = Math.max(1, capacity(processes.length));
    return {
      part: name,
      cpu_s: round(cpu_s),
      cores: round(cpu_s / window_s),
      capacity_cores,
      utilisation: round(cpu_s / window_s / capacity_cores),
      processes,
    };
  };
  const generator = part('generator', () => 1);
  const api = part('api', (n) => Math.min(n, cores));
  const databases = part('databases', () => cores);
  const busy_s = (last.machine.busy - first.machine.busy) / TICKS_PER_S;
  const machine_busy = round(Math.min(1, (last.machine.busy - first.machine.busy) / Math.max(1, last.machine.total - first.machine.total)));
  const ours = generator.cpu_s + api.cpu_s + databases.cpu_s;
  const other_s = Math.max(0, busy_s - ours);
  const other: CpuPart = {
    part: 'other',
    cpu_s: round(other_s),
    cores: round(other_s / window_s),
    capacity_cores: cores,
    utilisation: round(other_s / window_s / cores),
    processes: [],
  };
  const [top] = [generator, api, databases].sort((a, b) => b.utilisation - a.utilisation);
  const pct = (n: number) => `${Math.round(n * 100)} %`;
  const limit = top!.utilisation < SATURATED && machine_busy >= SATURATED ? 'machine' : (top!.part as CpuSplit['limit']);
  const why =
    limit === 'machine'
      ? `every core was ${pct(machine_busy)} busy, and no part was near its own limit (the nearest, ${top!.part}, at ${pct(top!.utilisation)}): the parts took the cores from each other${other.cores >= 0.1 ? `, and from ${round(other.cores, 1)} core(s) of other programs` : ''}.`
      : `${top!.part} used ${round(top!.cores, 2)} of the ${top!.capacity_cores} core(s) it can use (${pct(top!.utilisation)}), the nearest to its limit; the machine was ${pct(machine_busy)} busy.`;
  return { window_s: round(window_s), machine_cores: cores, machine_busy, parts: [generator, api, databases, other], limit, why };
}

/**
 * Samples a run's processes while its generator runs: the first sample is the baseline, the newest the end.
 * `split()` is the CPU between them.
 */
export class CpuWatch {
  private first: CpuSample | null = null;
  private last: CpuSample | null = null;

  constructor(private readonly processes: () => RunProcesses) {}

  tick(): void {
    const s = sampleCpu(this.processes());
    if (!s) return;
    this.first ??= s;
    this.last = s;
  }

  split(): CpuSplit | null {
    return this.first && this.last && this.last !== this.first ? splitCpu(this.first, this.last) : null;
  }
}
