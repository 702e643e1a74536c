import { z } from 'zod';
import { request, seg } from './api.js';
import { arg, positionals } from './args.js';
import { callCommand } from './call-command.js';
import { defineCommand } from './command.js';
import { formatTable } from './format.js';
import { Knobs } from './replies.js';

const Profile = z.object({
  name: z.string(),
  title: z.string(),
  builtin: z.boolean(),
  values: z.record(z.string(), z.string()),
  not_applied: z.array(z.object({ knob: z.string(), value: z.string(), why: z.string() })),
});

export const profiles = callCommand({
  name: 'tune profiles',
  summary: 'the knob profiles: the original before and after its tuning, the lab default, and your own (kept across restarts)',
  path: '/lab/v1/tuning/profiles',
  reply: z.object({ profiles: z.array(Profile) }),
  show(r, ctx) {
    const rows = r.profiles.map((p) => [
      p.name,
      p.builtin ? 'built in' : 'yours',
      Object.entries(p.values)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || 'every knob at its default',
    ]);
    return {
      data: r,
      text: `${formatTable(['profile', 'kind', 'values'], rows)}\n${ctx.style.dim('tune profile NAME applies one; tune profile save NAME keeps the knobs in force now')}`,
    };
  },
});

export const apply = defineCommand({
  name: 'tune profile',
  usage: 'tune profile NAME',
  summary: 'apply a knob profile in one step: every knob to its default, then the profile’s values',
  args: z.object({ _: positionals([arg('NAME')]) }),
  complete: (index) => (index === 0 ? ['lab-default', 'original-before', 'original-after', 'save'] : []),
  async run({ _: [name] }, ctx) {
    const k = (await request(ctx.lab, 'POST', `/lab/v1/tuning/profiles/${seg(name)}/apply`, Knobs)).body;
    const changed = k.knobs.filter((x) => x.changed).map((x) => `${x.name} ${x.value}`);
    return { data: k, text: `Applied ${name}: ${changed.length > 0 ? changed.join(', ') : 'every knob at its default'}.` };
  },
});

export const save = defineCommand({
  name: 'tune profile save',
  usage: 'tune profile save NAME',
  summary: 'keep the knobs in force now as your own profile',
  args: z.object({ _: positionals([arg('NAME')]) }),
  async run({ _: [name] }, ctx) {
    const p = (await request(ctx.lab, 'POST', '/lab/v1/tuning/profiles', Profile, { name })).body;
    return { data: p, text: `Saved profile ${p.name} (${Object.keys(p.values).length} knobs).` };
  },
});
