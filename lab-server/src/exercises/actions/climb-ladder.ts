import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { RungSchema, type LadderView } from '../../contracts/ladder.js';
import { StepFailed, stepSchema, type ActionKind } from '../action-kind.js';
import { failUnlessOk } from './lab-api.js';

const spec = stepSchema('climb-ladder', {
  rungs: z.array(RungSchema).min(2),
  duration_s: z.number().int().min(2).max(120).default(3),
  connections: z.number().int().min(1).max(1000).default(10),
  warmup_s: z.number().int().min(0).max(30).default(2),
  repeats: z.number().int().min(1).max(5).default(1),
});

/** Climbs the scaling ladder (POST /lab/v1/ladder) and waits until the climb has ended: the climb is not a job, it has its own API. */
export const climbLadder: ActionKind<z.output<typeof spec>> = {
  do: 'climb-ladder',
  spec,
  describe: (s) =>
    `Climb the ladder over ${s.rungs.join(' → ')}, ${s.repeats === 1 ? '' : `${s.repeats} runs of `}${s.duration_s} s per rung — POST /lab/v1/ladder`,
  async run(s, ctx) {
    const started = await ctx.api.call<LadderView>('POST', '/lab/v1/ladder', {
      rungs: s.rungs,
      duration_s: s.duration_s,
      connections: s.connections,
      warmup_s: s.warmup_s,
      repeats: s.repeats,
    });
    failUnlessOk(started, 'POST /lab/v1/ladder');
    for (;;) {
      const r = await ctx.api.call<LadderView>('GET', '/lab/v1/ladder');
      failUnlessOk(r, 'GET /lab/v1/ladder');
      if (r.body.state === 'finished') {
        const best = r.body.steps.filter((x) => !x.skipped).map((x) => `${x.rung} ${x.requests_per_s} req/s`);
        return { detail: `Climbed: ${best.join(', ')}.` };
      }
      if (r.body.state !== 'running') throw new StepFailed(`The climb ${r.body.state}${r.body.error ? `: ${r.body.error}` : ''}.`);
      await sleep(500);
    }
  },
};
