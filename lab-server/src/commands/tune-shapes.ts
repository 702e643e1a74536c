import { z } from 'zod';
import { QueryShapesTrial, SHAPE_PAIRS } from '../contracts/query-shapes.js';
import { post } from './api.js';
import { noArgs, wholeNumber } from './args.js';
import { defineCommand } from './command.js';
import { formatTable, num } from './format.js';

const us = (x: number) => `${num(x, x < 100 ? 1 : 0)} µs`;

export const shapes = defineCommand({
  name: 'tune shapes',
  usage: `tune shapes [--shard NAME] [--rounds N] [--pairs ${SHAPE_PAIRS.join(',')}]`,
  summary:
    "the original's per-query claims measured on one shard: GORM's default transaction, SELECT * vs named columns, First vs Take, Save vs Updates (median per side, and how much faster the tuned shape is)",
  flags: { shard: 'string', rounds: 'string', pairs: 'string' },
  args: noArgs.extend({
    shard: z.string().optional(),
    rounds: wholeNumber('--rounds', 1).optional(),
    pairs: z
      .string()
      .transform((s) => s.split(',').map((p) => p.trim()))
      .pipe(z.array(z.enum(SHAPE_PAIRS, { error: `--pairs takes ${SHAPE_PAIRS.join(', ')}, separated by commas` })))
      .optional(),
  }),
  async run({ shard, rounds, pairs }, ctx) {
    const r = await post(ctx.lab, '/lab/v1/tuning/query-shapes', QueryShapesTrial, { shard, rounds, pairs });
    const rows = r.pairs.map((p) => [
      p.pair,
      p.gorm_default.shape,
      us(p.gorm_default.p50_us),
      p.tuned.shape,
      us(p.tuned.p50_us),
      `${p.change_pct > 0 ? '+' : ''}${num(p.change_pct, 1)} %`,
      p.claimed.text,
    ]);
    const table = formatTable(['pair', 'GORM default', 'p50', 'tuned', 'p50', 'tuned is faster by', 'claimed'], rows);
    const note = `${r.shard}, ${num(r.rounds)} rounds per side after ${r.warmup} warm-up rounds, the sides alternating; ${num(r.rows_written)} users written, ${r.rows_left} left.`;
    return { data: r, text: `${table}\n${ctx.style.dim(note)}` };
  },
});
