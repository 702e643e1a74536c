import { z } from 'zod';
import { get, request, seg } from './api.js';
import { arg, noArgs, positionals, wholeNumber } from './args.js';
import { CommandError, defineCommand } from './command.js';
import { followJob } from './follow-job.js';
import { formatTable, ms, num } from './format.js';
import { JobStarted } from './replies.js';

// Chapter starts: the data a chapter begins from, restored from a snapshot on every shard (/lab/v1/starts).

const Spec = z.object({ users: z.number(), conversations: z.number(), messages: z.number() });
const Starts = z.object({
  external: z.boolean(),
  snapshots: z.array(z.object({ name: z.string(), bytes: z.number(), key: z.object({ spec: Spec, head: z.string() }).nullable() })),
});
const Report = z.object({ how: z.enum(['restored', 'built']), ms: z.number(), shards: z.array(z.object({ shard: z.string(), ms: z.number() })) });
const StartState = z.object({ start: Spec, at_start: z.boolean(), differences: z.array(z.string()), reset_steps: z.array(z.string()) });
const Steps = z.object({ steps: z.array(z.object({ step: z.string(), status: z.string(), detail: z.string() })) });

const specText = (s: z.output<typeof Spec>) =>
  Object.entries(s)
    .filter(([, n]) => n > 0)
    .map(([name, n]) => `${num(n)} ${name}`)
    .join(', ') || 'no rows';

export const list = defineCommand({
  name: 'starts',
  usage: 'starts',
  summary: 'the start snapshots kept on every shard (a chapter reset clones them back)',
  args: noArgs,
  async run(_a, ctx) {
    const s = await get(ctx.lab, '/lab/v1/starts', Starts);
    if (s.external) return { data: s, text: 'The shards are not the lab’s own (LAB_SHARDS): starts are rebuilt row by row, never snapshotted.' };
    if (s.snapshots.length === 0) return { data: s, text: 'No start snapshots yet: the first reset of a chapter builds its own.' };
    const rows = s.snapshots.map((x) => [x.name, x.key ? specText(x.key.spec) : '?', x.key?.head ?? '?', `${num(x.bytes / 1_048_576, 1)} MB`]);
    return { data: s, text: formatTable(['snapshot', 'data', 'schema at', 'size (first shard)'], rows) };
  },
});

export const restore = defineCommand({
  name: 'starts restore',
  interruptible: true,
  usage: 'starts restore [--users N] [--conversations N] [--messages N]',
  summary: "bring every shard's data to a start: cloned from its snapshot, or seeded and snapshotted the first time",
  flags: { users: 'string', conversations: 'string', messages: 'string' },
  args: noArgs.extend({
    users: wholeNumber('--users').default(0),
    conversations: wholeNumber('--conversations').default(0),
    messages: wholeNumber('--messages').default(0),
  }),
  async run({ users, conversations, messages }, ctx) {
    const spec = { users, conversations, messages };
    const { job_id } = (await request(ctx.lab, 'POST', '/lab/v1/starts', JobStarted, spec)).body;
    const job = await followJob(ctx, job_id, `Start with ${specText(spec)}`);
    const parsed = Report.safeParse(job.result);
    if (!parsed.success) throw new CommandError(`Job ${job_id} succeeded, but its result is not a start report; is the lab the same version?`);
    const r = parsed.data;
    const how = r.how === 'restored' ? 'Cloned from the snapshot' : 'Built (seeded, then snapshotted for next time)';
    return {
      data: r,
      text: `${formatTable(
        ['shard', 'took'],
        r.shards.map((s) => [s.shard, ms(s.ms)]),
      )}\n\n${how} in ${ms(r.ms)}.`,
    };
  },
});

export const drop = defineCommand({
  name: 'starts drop',
  usage: 'starts drop',
  summary: 'drop every start snapshot to free disk (each is rebuilt when next needed)',
  args: noArgs,
  async run(_a, ctx) {
    const r = (await request(ctx.lab, 'DELETE', '/lab/v1/starts', z.object({ dropped: z.array(z.string()) }))).body;
    return { data: r, text: r.dropped.length ? `Dropped ${r.dropped.join(', ')} on every shard.` : 'There were no start snapshots.' };
  },
});

export const chapterStart = defineCommand({
  name: 'chapter start',
  usage: 'chapter start CHAPTER',
  summary: "whether the cluster is at a chapter's start, and what 'chapter reset' would change",
  args: z.object({ _: positionals([arg('CHAPTER')]) }),
  async run({ _: [chapter] }, ctx) {
    const s = await get(ctx.lab, `/lab/v1/chapters/${seg(chapter)}/start`, StartState);
    const head = `The chapter starts from the configured shards with ${specText(s.start)}.`;
    const state = s.at_start ? 'The cluster is at that start.' : `The cluster differs:\n${s.differences.map((d) => `  - ${d}`).join('\n')}`;
    return { data: s, text: `${head}\n${state}\n\nA reset runs:\n${s.reset_steps.map((x, i) => `  ${i + 1}. ${x}`).join('\n')}` };
  },
});

export const chapterReset = defineCommand({
  name: 'chapter reset',
  usage: 'chapter reset CHAPTER',
  summary: "return the cluster to a chapter's start (its clean-up, then the data cloned from a snapshot); progress stays",
  args: z.object({ _: positionals([arg('CHAPTER')]) }),
  async run({ _: [chapter] }, ctx) {
    const r = (await request(ctx.lab, 'POST', `/lab/v1/chapters/${seg(chapter)}/reset`, Steps, {})).body;
    return { data: r, text: r.steps.map((s, i) => `${i + 1}. ${s.step}\n   ${s.status}: ${s.detail}`).join('\n') };
  },
});
