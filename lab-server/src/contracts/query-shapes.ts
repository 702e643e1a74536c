import { z } from 'zod';

/**
 * The original's four per-query claims, as pairs of statement shapes: what GORM sends by default against the
 * tuned form the guide recommends.
 */
export const SHAPE_PAIRS = ['transaction', 'columns', 'take', 'updates'] as const;
export type ShapePair = (typeof SHAPE_PAIRS)[number];

export const MIN_SHAPE_ROUNDS = 5;
export const MAX_SHAPE_ROUNDS = 5000;

export const QueryShapesInput = z.strictObject(
  {
    shard: z.string().min(1, 'shard must be a shard name').optional().describe('the shard to run on (default: the first)'),
    rounds: z
      .number({ error: 'rounds must be a number' })
      .int('rounds must be a whole number')
      .min(MIN_SHAPE_ROUNDS, `rounds must be at least ${MIN_SHAPE_ROUNDS}`)
      .max(MAX_SHAPE_ROUNDS, `rounds must be at most ${MAX_SHAPE_ROUNDS}`)
      .default(200)
      .describe('measured runs of each side of each pair, after a warm-up, the two sides alternating'),
    pairs: z
      .array(z.enum(SHAPE_PAIRS, { error: `pairs must be among ${SHAPE_PAIRS.join(', ')}` }))
      .min(1, 'pairs must name at least one pair')
      .optional()
      .describe('the pairs to measure (default: all four)'),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field(s): ${iss.keys.join(', ')}` : 'the body must be a JSON object') },
);
export type QueryShapesInput = z.output<typeof QueryShapesInput>;

const Side = z.object({
  shape: z.string().describe("GORM's call, e.g. First(&user, id)"),
  sql: z.string().describe('what reaches PostgreSQL, one statement per line'),
  mean_us: z.number(),
  p50_us: z.number(),
  ops_per_s: z.number().describe('1 s ÷ the mean'),
});

export const ShapeResult = z.object({
  pair: z.enum(SHAPE_PAIRS),
  title: z.string(),
  gorm_default: Side,
  tuned: Side,
  ratio: z.number().describe('default p50 ÷ tuned p50: how many tuned operations fit in the time of one default one'),
  change_pct: z.number().describe('(ratio − 1) × 100: how much faster the tuned shape is, in percent (negative: slower)'),
  claimed: z.object({ min: z.number(), max: z.number(), text: z.string() }).describe("the original's claim for this pair"),
});
export type ShapeResult = z.output<typeof ShapeResult>;

export const QueryShapesTrial = z
  .object({
    at: z.string(),
    shard: z.string(),
    rounds: z.number(),
    warmup: z.number().describe('unmeasured rounds of each side first'),
    pairs: z.array(ShapeResult),
    rows_written: z.number().describe('users the trial inserted on the shard (marked with its run tag)'),
    rows_left: z.number().describe('rows with the run tag still there after its cleanup: 0'),
  })
  .meta({ id: 'QueryShapesTrial' });
export type QueryShapesTrial = z.output<typeof QueryShapesTrial>;

export const LastQueryShapes = z
  .object({ result: QueryShapesTrial.nullable().describe('the last trial since the lab started') })
  .meta({ id: 'LastQueryShapes' });
