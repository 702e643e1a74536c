import { z } from 'zod';
import { get, post, request } from './api.js';
import { noArgs, positionals, wholeNumber } from './args.js';
import { defineCommand } from './command.js';
import { formatTable } from './format.js';

const Trial = z.object({
  users: z.number(),
  rounds: z.number(),
  results: z.array(
    z.object({
      mode: z.string(),
      reads: z.number(),
      hits: z.number(),
      hit_percent: z.number(),
      updates: z.number(),
      stale_reads: z.number(),
      errors: z.number(),
    }),
  ),
});
const Status = z.object({
  mode: z.string(),
  ttl_s: z.number(),
  entries: z.number(),
  hits: z.number(),
  misses: z.number(),
  invalidations: z.number(),
  backend: z.string(),
  last_trial: Trial.nullable(),
});

const renderTrial = (t: z.output<typeof Trial>) =>
  [
    `${t.users} users read by id ${t.rounds} times each; each round one renamed and read back at once`,
    formatTable(
      ['mode', 'reads', 'hits', 'hit ratio', 'stale reads after an update', 'errors'],
      t.results.map((r) => [r.mode, r.reads, r.hits, `${r.hit_percent} %`, `${r.stale_reads} of ${r.updates}`, r.errors]),
    ),
  ].join('\n');

function render(s: z.output<typeof Status>): string {
  const head =
    s.mode === 'off'
      ? `The users cache is off (${s.backend}).`
      : `The users cache: ${s.mode}, expiry ${s.ttl_s} s, ${s.entries} entries, ${s.hits} hits, ${s.misses} misses, ${s.invalidations} invalidations (${s.backend}).`;
  return s.last_trial ? `${head}\n${renderTrial(s.last_trial)}` : head;
}

export const show = defineCommand({
  name: 'cache',
  usage: 'cache',
  summary: 'cache-aside for users by id: the mode, expiry, hits, misses, invalidations, and the last trial',
  args: noArgs,
  async run(_args, ctx) {
    const s = await get(ctx.lab, '/lab/v1/cache', Status);
    return { data: s, text: render(s) };
  },
});

export const mode = defineCommand({
  name: 'cache mode',
  usage: 'cache mode off|ttl-only|invalidate [TTL_S]',
  summary: 'turn the users cache off, on without invalidation, or on with invalidation on write (expiry TTL_S, default 900)',
  args: z.object({
    _: positionals([z.enum(['off', 'ttl-only', 'invalidate'], { error: 'MODE must be off, ttl-only or invalidate' }), wholeNumber('TTL_S', 1).optional()]),
  }),
  complete: (index) => (index === 0 ? ['off', 'ttl-only', 'invalidate'] : []),
  async run({ _: [m, ttl] }, ctx) {
    const s = (await request(ctx.lab, 'PUT', '/lab/v1/cache', Status, { mode: m, ...(ttl === undefined ? {} : { ttl_s: ttl }) })).body;
    return { data: s, text: render(s) };
  },
});

export const trial = defineCommand({
  name: 'cache trial',
  usage: 'cache trial [USERS] [ROUNDS]',
  summary: 'the same read-mostly workload without and with invalidation: hit ratio, and reads that missed their own update',
  args: z.object({ _: positionals([wholeNumber('USERS', 1).optional(), wholeNumber('ROUNDS', 1).optional()]) }),
  async run({ _: [users, rounds] }, ctx) {
    const t = await post(ctx.lab, '/lab/v1/cache/trial', Trial, { ...(users === undefined ? {} : { users }), ...(rounds === undefined ? {} : { rounds }) });
    return { data: t, text: renderTrial(t) };
  },
});
