import { z } from 'zod';
import { ReadLoadTrialSchema, type ReadLoadTrial } from '../contracts/read-load.js';
import { get, post, request } from './api.js';
import { arg, noArgs, positionals, wholeNumber } from './args.js';
import { defineCommand } from './command.js';
import { formatTable } from './format.js';

const POLICIES = ['primary', 'replica', 'read-your-writes'] as const;
const fmt = (n: number) => n.toLocaleString('en-US');

const Trial = z.object({
  pairs: z.number(),
  replicas: z.array(z.object({ replica: z.string(), apply_delay_ms: z.number().nullable() })),
  results: z.array(
    z.object({
      policy: z.string(),
      pairs: z.number(),
      not_found: z.number(),
      errors: z.number(),
      replica_reads: z.number(),
      primary_reads: z.number(),
      ms: z.number(),
    }),
  ),
});
const Reads = z.object({
  policy: z.string(),
  primary_reads: z.number(),
  replica_reads: z.number(),
  stale_reads: z.number(),
  replicas: z.array(
    z.object({
      replica: z.string(),
      status: z.string(),
      lag_bytes: z.number().nullable(),
      lag_seconds: z.number().nullable(),
      apply_delay_ms: z.number().nullable(),
    }),
  ),
  last_trial: Trial.nullable(),
  last_load: ReadLoadTrialSchema.nullable(),
});

const trialTable = (t: z.output<typeof Trial>) =>
  formatTable(
    ['policy', 'missed (404)', 'share', 'other errors', 'replica reads', 'primary reads', 'ms'],
    t.results.map((r) => [
      r.policy,
      fmt(r.not_found),
      `${((100 * r.not_found) / r.pairs).toFixed(1)} %`,
      fmt(r.errors),
      fmt(r.replica_reads),
      fmt(r.primary_reads),
      fmt(r.ms),
    ]),
  );

/** Each policy's load-test run: its failed requests beside the stale reads the router counted. */
export const loadTable = (t: ReadLoadTrial) =>
  formatTable(
    ['policy', 'requests', 'failed', 'req/s', 'stale reads', 'replica reads', 'primary reads'],
    t.results.map((r) => [r.policy, fmt(r.requests), fmt(r.errors), fmt(r.requests_per_s), fmt(r.stale_reads), fmt(r.replica_reads), fmt(r.primary_reads)]),
  );

export const show = defineCommand({
  name: 'reads',
  usage: 'reads',
  summary: 'the read policy, reads served by primaries and replicas, stale reads, each replica with its lag and apply delay',
  args: noArgs,
  async run(_args, ctx) {
    const r = await get(ctx.lab, '/lab/v1/reads', Reads);
    const replicas = r.replicas.length
      ? formatTable(
          ['replica', 'status', 'lag bytes', 'lag s', 'apply delay ms'],
          r.replicas.map((x) => [
            x.replica,
            x.status,
            x.lag_bytes === null ? '-' : fmt(x.lag_bytes),
            x.lag_seconds === null ? '-' : x.lag_seconds.toFixed(2),
            x.apply_delay_ms === null ? '-' : fmt(x.apply_delay_ms),
          ]),
        )
      : 'No replicas: every read goes to a primary (`shards replica NAME` adds one).';
    const text = [
      `read policy: ${r.policy}; reads served by primaries ${fmt(r.primary_reads)}, by replicas ${fmt(r.replica_reads)}, stale ${fmt(r.stale_reads)}`,
      replicas,
      ...(r.last_trial ? ['last write-then-read trial:', trialTable(r.last_trial)] : []),
      ...(r.last_load ? [`last comparison under load (${r.last_load.scenario}, ${r.last_load.duration_s} s per policy):`, loadTable(r.last_load)] : []),
    ].join('\n');
    return { data: r, text };
  },
});

export const policy = defineCommand({
  name: 'reads policy',
  usage: 'reads policy primary|replica|read-your-writes',
  summary: 'where reads by id go: the primary, the replica (the original), or the replica unless it lags behind your write',
  args: z.object({ _: positionals([z.enum(POLICIES, { error: 'POLICY must be primary, replica or read-your-writes' })]) }),
  complete: (index) => (index === 0 ? [...POLICIES] : []),
  async run({ _: [name] }, ctx) {
    const s = (await request(ctx.lab, 'PUT', '/lab/v1/settings', z.object({ read_policy: z.string() }), { read_policy: name })).body;
    return { data: s, text: `read policy: ${s.read_policy}` };
  },
});

export const trial = defineCommand({
  name: 'reads trial',
  usage: 'reads trial [PAIRS]',
  summary: 'create a user, read it back at once, delete it — PAIRS times (200) under replica, then read-your-writes; count the misses',
  args: z.object({ _: positionals([wholeNumber('PAIRS', 1).optional()]) }),
  async run({ _: [pairs] }, ctx) {
    ctx.out.line(`Write-then-read trial: ${pairs ?? 200} pairs under replica, then read-your-writes…`);
    const t = await post(ctx.lab, '/lab/v1/reads/trial', Trial, pairs === undefined ? {} : { pairs });
    const delays = t.replicas.map((r) => `${r.replica} delayed ${r.apply_delay_ms === null ? '?' : fmt(r.apply_delay_ms)} ms`).join(', ');
    return { data: t, text: `${delays}\n${trialTable(t)}` };
  },
});

export const underLoad = defineCommand({
  name: 'reads load',
  usage: 'reads load [smoke|crud] [--duration S] [--connections N]',
  summary: 'the same write-then-read load test under replica, then read-your-writes: failed requests and stale reads of each',
  flags: { duration: 'string', connections: 'string' },
  args: z.object({
    _: positionals([z.enum(['smoke', 'crud'], { error: 'SCENARIO must be smoke or crud' }).optional()]),
    duration: wholeNumber('--duration', 1).optional(),
    connections: wholeNumber('--connections', 1).optional(),
  }),
  complete: (index) => (index === 0 ? ['smoke', 'crud'] : []),
  async run({ _: [scenario], duration, connections }, ctx) {
    const body = {
      ...(scenario ? { scenario } : {}),
      ...(duration === undefined ? {} : { duration_s: duration }),
      ...(connections === undefined ? {} : { connections }),
    };
    ctx.out.line('The same load test under replica, then read-your-writes…');
    const t = await post(ctx.lab, '/lab/v1/reads/load', ReadLoadTrialSchema, body);
    const delays = t.replicas.map((r) => `${r.replica} delayed ${r.apply_delay_ms === null ? '?' : fmt(r.apply_delay_ms)} ms`).join(', ');
    return { data: t, text: `${t.scenario}, ${t.connections} connections, ${t.duration_s} s per policy; ${delays}\n${loadTable(t)}` };
  },
});

export const delay = defineCommand({
  name: 'shards replica-delay',
  usage: 'shards replica-delay NAME MS',
  summary: "make a shard's replica apply each commit MS milliseconds late (0: off), to see replication lag on one machine",
  args: z.object({ _: positionals([arg('NAME'), wholeNumber('MS')]) }),
  complete: (index, _before, source) => (index === 0 ? source.shards() : []),
  async run({ _: [name, ms] }, ctx) {
    const path = `/lab/v1/shards/${encodeURIComponent(name)}/replicas/delay`;
    const d = (await request(ctx.lab, 'PUT', path, z.object({ replica: z.string(), apply_delay_ms: z.number() }), { ms })).body;
    return { data: d, text: `${d.replica} now applies every commit ${fmt(d.apply_delay_ms)} ms after its primary.` };
  },
});

export const remove = defineCommand({
  name: 'shards replica-remove',
  usage: 'shards replica-remove NAME',
  summary: "stop a shard's replica and delete it; reads go to the primary again",
  args: z.object({ _: positionals([arg('NAME')]) }),
  complete: (index, _before, source) => (index === 0 ? source.shards() : []),
  async run({ _: [name] }, ctx) {
    const path = `/lab/v1/shards/${encodeURIComponent(name)}/replicas`;
    const s = (await request(ctx.lab, 'DELETE', path, z.object({ name: z.string(), replicas: z.array(z.unknown()) }))).body;
    return { data: s, text: `${s.name} has no replica now; its reads go to the primary.` };
  },
});
