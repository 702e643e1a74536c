import { z } from 'zod';

/** An event during a load test (a knob turned, …) and, once the run ended, its throughput on either side. */
export const RunMarkSchema = z.object({
  t_s: z.number(),
  kind: z.string(),
  label: z.string(),
  until_s: z.number().optional().describe('for a change that took a while (replacing the workers): the second it was done'),
  around: z
    .object({ before_s: z.number(), before_rps: z.number(), after_s: z.number(), after_rps: z.number(), ratio: z.number() })
    .optional()
    .describe('once the run ended: req/s over the seconds before the event and after it (the second after left out), in the same run'),
});

/** One process (or a process and its children, for a PostgreSQL server) and the CPU it used during a run. */
const CpuProcessSchema = z.object({
  name: z.string().describe('generator, main, worker <pid>, shard-0, shard-0-replica, …'),
  pid: z.number(),
  cpu_s: z.number().describe('user + system CPU seconds over the measured window (a server: its postmaster and every backend)'),
  cores: z.number().describe('cpu_s ÷ the window: how many cores it kept busy on average'),
});

/** A part of the system: the load generator, the API's processes, or the database servers. */
const CpuPartSchema = z.object({
  part: z.enum(['generator', 'api', 'databases', 'other']),
  cpu_s: z.number(),
  cores: z.number().describe('average cores busy'),
  capacity_cores: z
    .number()
    .describe('the most it can use: 1 per Node.js process (one event loop each), the machine for the databases and for everything else'),
  utilisation: z.number().describe('cores ÷ capacity_cores (0..1): near 1, this part is at its limit'),
  processes: z.array(CpuProcessSchema).describe('empty for other: every process on the machine that is not the lab'),
});

/**
 * What limited a run on this machine: CPU per part, from /proc/<pid>/stat sampled while the generator ran.
 * Null in a run on a system without /proc (the split is Linux's).
 */
export const CpuSplitSchema = z
  .object({
    window_s: z.number().describe('the seconds between the first and the last sample, inside the measured phases'),
    machine_cores: z.number(),
    machine_busy: z.number().describe('share of all cores busy over the window, every process on the machine counted (/proc/stat)'),
    parts: z.array(CpuPartSchema).describe('generator, api, databases, other'),
    limit: z
      .enum(['generator', 'api', 'databases', 'machine'])
      .describe('the part nearest its capacity; machine when every core was ≥ 90 % busy and no single part was nearer its own limit'),
    why: z.string(),
  })
  .meta({ id: 'CpuSplit' });
export type CpuSplit = z.output<typeof CpuSplitSchema>;
export type CpuPart = CpuSplit['parts'][number];
