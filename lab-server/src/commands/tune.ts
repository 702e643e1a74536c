import { z } from 'zod';
import { request, seg } from './api.js';
import { arg, noArgs, positionals } from './args.js';
import { callCommand } from './call-command.js';
import { defineCommand, type CommandContext } from './command.js';
import { KNOB_NAMES } from '../tuning/knobs.js';
import { TUNABLE_PARAMETERS } from '../tuning/parameters.js';
import { formatTable } from './format.js';
import { Knobs, Tuning } from './replies.js';

type TuningReply = z.output<typeof Tuning>;

/** One row per parameter, one column per shard: the same value everywhere reads at a glance, a difference stands out. */
function render(t: TuningReply, ctx: CommandContext, only?: string): string {
  const { dim, yellow } = ctx.style;
  const names = t.shards[0]?.parameters.map((p) => p.name).filter((n) => !only || n === only) ?? [];
  const rows = names.map((name) => {
    const cells = t.shards.map((s) => {
      const p = s.parameters.find((x) => x.name === name)!;
      return `${p.setting}${p.source === 'configuration file' ? '*' : ''}${p.pending_restart ? yellow(' (restart)') : ''}`;
    });
    return [name, ...cells];
  });
  return `${formatTable(['parameter', ...t.shards.map((s) => s.shard)], rows)}\n${dim('* set by the lab (ALTER SYSTEM); (restart): in force once the shard restarts')}`;
}

export const list = callCommand({
  name: 'tune',
  summary: 'the PostgreSQL parameters the lab may change, on every shard (tune set / tune reset change them)',
  path: '/lab/v1/tuning/parameters',
  reply: Tuning,
  show: (t, ctx) => ({ data: t, text: render(t, ctx) }),
});

const put = async (ctx: CommandContext, name: string, value: string | null, shard: string | undefined) =>
  (await request(ctx.lab, 'PUT', `/lab/v1/tuning/parameters/${seg(name)}`, Tuning, { value, ...(shard ? { shards: [shard] } : {}) })).body;

export const set = defineCommand({
  name: 'tune set',
  usage: 'tune set NAME VALUE [--shard NAME]',
  summary: 'set an allowed PostgreSQL parameter on every shard (or one): ALTER SYSTEM and a reload, all shards or none',
  flags: { shard: 'string' },
  args: z.object({ _: positionals([arg('NAME'), arg('VALUE')]), shard: z.string().optional() }),
  complete: (index) => (index === 0 ? [...TUNABLE_PARAMETERS] : []),
  async run({ _: [name, value], shard }, ctx) {
    const t = await put(ctx, name, value, shard);
    return { data: t, text: render(t, ctx, name) };
  },
});

export const reset = defineCommand({
  name: 'tune reset',
  usage: 'tune reset NAME [--shard NAME]',
  summary: 'put an allowed PostgreSQL parameter back to its default on every shard (or one)',
  flags: { shard: 'string' },
  args: z.object({ _: positionals([arg('NAME')]), shard: z.string().optional() }),
  complete: (index) => (index === 0 ? [...TUNABLE_PARAMETERS] : []),
  async run({ _: [name], shard }, ctx) {
    const t = await put(ctx, name, null, shard);
    return { data: t, text: render(t, ctx, name) };
  },
});

type KnobsReply = z.output<typeof Knobs>;

/** The knob panel as a table: value, default, how a change applies; a changed knob is starred. */
function renderKnobs(k: KnobsReply, ctx: CommandContext, only?: string): string {
  const rows = k.knobs.filter((x) => !only || x.name === only).map((x) => [x.name, `${x.value}${x.changed ? '*' : ''}`, x.default, x.applies, x.kind]);
  return `${formatTable(['knob', 'value', 'default', 'applies', 'kind'], rows)}\n${ctx.style.dim('* changed from the default; `tune knob NAME default` puts one back, `tune knobs reset` all of them')}`;
}

export const knobs = callCommand({
  name: 'tune knobs',
  summary:
    'the knob panel: pool size and wait, timeouts, data layer, prepared statements, prefork workers, PostgreSQL parameters — value, default, how a change applies',
  path: '/lab/v1/tuning/knobs',
  reply: Knobs,
  show: (k, ctx) => ({ data: k, text: renderKnobs(k, ctx) }),
});

export const knob = defineCommand({
  name: 'tune knob',
  usage: 'tune knob NAME VALUE|default',
  summary: 'turn one knob (e.g. tune knob pool_max 4, tune knob prepared_statements off); default puts it back',
  args: z.object({ _: positionals([arg('NAME'), arg('VALUE')]) }),
  complete: (index) => (index === 0 ? [...KNOB_NAMES] : []),
  async run({ _: [name, value] }, ctx) {
    const body = { value: value === 'default' ? null : value };
    const k = (await request(ctx.lab, 'PUT', `/lab/v1/tuning/knobs/${seg(name)}`, Knobs, body)).body;
    return { data: k, text: renderKnobs(k, ctx, name) };
  },
});

export const knobsReset = defineCommand({
  name: 'tune knobs reset',
  usage: 'tune knobs reset',
  summary: 'every knob back to its default (the lab’s pools and data layer, every PostgreSQL parameter the lab set)',
  args: noArgs,
  async run(_args, ctx) {
    const k = (await request(ctx.lab, 'POST', '/lab/v1/tuning/knobs/reset', Knobs)).body;
    return { data: k, text: renderKnobs(k, ctx) };
  },
});
