import { spawn } from 'node:child_process';
import { expect, it } from 'vitest';
import { sampleCpu, splitCpu, type CpuSample } from './cpu.js';

const ticks = (entries: [string, number, number][]) => new Map(entries.map(([name, pid, t]) => [`${name}@${pid}`, { pid, ticks: t }]));

const sample = (at_s: number, gen: number, main: number, w: number, db: number, busy: number): CpuSample => ({
  at_ms: at_s * 1000,
  generator: ticks([['generator', 10, gen]]),
  api: ticks([
    ['main', 1, main],
    ['worker 20', 20, w],
  ]),
  databases: ticks([['shard-0', 30, db]]),
  machine: { busy, total: at_s * 200 },
});

it('splits the CPU between two samples per part and names the part nearest its limit', () => {
  // 10 s on 2 cores: the generator 9.5 s of its one core, the API 6 s of two, the databases 4 s of two.
  const s = splitCpu(sample(0, 0, 0, 0, 0, 0), sample(10, 950, 100, 500, 400, 1900), 2)!;
  expect(s.window_s).toBe(10);
  expect(s.machine_busy).toBe(0.95);
  const [generator, api, databases, other] = s.parts;
  expect(generator).toMatchObject({ part: 'generator', cpu_s: 9.5, cores: 0.95, capacity_cores: 1, utilisation: 0.95 });
  expect(api).toMatchObject({ part: 'api', cpu_s: 6, cores: 0.6, capacity_cores: 2, utilisation: 0.3 });
  expect(api!.processes.map((p) => [p.name, p.pid, p.cpu_s])).toEqual([
    ['main', 1, 1],
    ['worker 20', 20, 5],
  ]);
  expect(databases).toMatchObject({ cpu_s: 4, capacity_cores: 2, utilisation: 0.2 });
  // 19 s busy, 19.5 s of it the lab's: the rest of the machine is clamped at 0.
  expect(other).toMatchObject({ part: 'other', cpu_s: 0 });
  expect(s.limit).toBe('generator');
  expect(s.why).toContain('generator used 0.95 of the 1 core(s)');
});

it('calls the machine the limit when every core was busy but no part was near its own', () => {
  const s = splitCpu(sample(0, 0, 0, 0, 0, 0), sample(10, 500, 100, 500, 600, 2000), 2)!;
  expect(s.limit).toBe('machine');
  expect(s.parts[3]).toMatchObject({ part: 'other', cpu_s: 3, cores: 0.3 });
  expect(s.why).toContain('other programs');
});

it('counts a process from the sample it first appears in', () => {
  const first = sample(0, 0, 0, 0, 0, 0);
  first.api.delete('worker 20@20');
  const s = splitCpu(first, sample(4, 100, 100, 300, 100, 600), 2)!;
  expect(s.parts[1]!.processes.find((p) => p.pid === 20)!.cpu_s).toBe(0);
});

it('reads real processes from /proc: a busy process shows its CPU, a server its children with it', async () => {
  const spin = `${process.execPath} -e "const end = Date.now() + 1500; while (Date.now() < end);"`;
  const busy = spawn('sh', ['-c', `exec ${spin}`]);
  // Not exec'd: the busy loop is the shell's child, as a backend is the postmaster's.
  const server = spawn('sh', ['-c', `${spin}; sleep 0.2`]);
  try {
    const processes = { generator: busy.pid!, api: [{ name: 'main', pid: process.pid }], databases: [{ name: 'shard-0', pid: server.pid! }] };
    const first = sampleCpu(processes)!;
    await new Promise((r) => busy.once('exit', r));
    const split = splitCpu(first, sampleCpu({ ...processes, generator: null })!, 2)!;
    expect(split.parts[2]!.processes[0]).toMatchObject({ name: 'shard-0', pid: server.pid });
    expect(split.parts[2]!.cpu_s).toBeGreaterThan(0);
    // Gone by the last sample: the generator has no process left to count.
    expect(split.parts[0]!.processes).toEqual([]);
    expect(split.parts[1]!.processes[0]!.pid).toBe(process.pid);
  } finally {
    busy.kill();
    server.kill();
  }
});
