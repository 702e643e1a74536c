import { z } from 'zod';
import { get, request, seg } from './api.js';
import { arg, positionals } from './args.js';
import { defineCommand, type CommandContext } from './command.js';
import { formatTable } from './format.js';

const ChapterClaims = z.object({
  claims: z.array(z.object({ id: z.string(), claim: z.string(), claimed: z.string(), runs: z.string().nullable() })),
});
const Measurement = z.object({ measured: z.string(), verdict: z.enum(['holds', 'fails', 'unsettled']), why: z.string() });

const verdictText = (v: z.output<typeof Measurement>['verdict'], { green, red, yellow }: CommandContext['style']) =>
  v === 'holds' ? green('holds here') : v === 'fails' ? red('does not hold here') : yellow('not settled by this');

export const list = defineCommand({
  name: 'claims',
  usage: 'claims CHAPTER',
  summary: "the original's claims a chapter measures (claims measure runs one)",
  args: z.object({ _: positionals([arg('CHAPTER')]) }),
  async run({ _: [chapter] }, ctx) {
    const c = await get(ctx.lab, `/lab/v1/chapters/${seg(chapter)}`, ChapterClaims);
    const rows = c.claims.map((x) => [x.id, x.claim, x.claimed, x.runs ? ctx.style.yellow('runs load') : 'reads']);
    return { data: c.claims, text: formatTable(['claim', 'the original says', 'claimed', 'measuring'], rows) };
  },
});

export const measure = defineCommand({
  name: 'claims measure',
  usage: 'claims measure CHAPTER CLAIM',
  summary: "measure one of the original's claims on this cluster now, with a verdict (a seed or load test runs to the end)",
  args: z.object({ _: positionals([arg('CHAPTER'), arg('CLAIM')]) }),
  async run({ _: [chapter, claim] }, ctx) {
    const m = (await request(ctx.lab, 'POST', `/lab/v1/chapters/${seg(chapter)}/claims/${seg(claim)}/measure`, Measurement, {})).body;
    return { data: m, text: `${m.measured}\n${ctx.style.bold(verdictText(m.verdict, ctx.style))}: ${m.why}` };
  },
});
