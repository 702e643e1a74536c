import { z } from 'zod';

/** What a prediction is about: a headline number of a load-test run. */
export const PREDICTION_METRICS = ['requests_per_s', 'latency_ms.p50', 'latency_ms.p95', 'latency_ms.p99', 'error_rate'] as const;
export type PredictionMetric = (typeof PREDICTION_METRICS)[number];

export const PredictionInput = z.strictObject(
  {
    change_pct: z
      .number({ error: 'change_pct is required: the change you expect, in percent (negative for a drop)' })
      .min(-100, 'change_pct must be at least -100 (a metric cannot fall below zero)')
      .max(100_000, 'change_pct must be at most 100000'),
    metric: z
      .enum(PREDICTION_METRICS, { error: `metric must be one of ${PREDICTION_METRICS.join(', ')}` })
      .default('requests_per_s')
      .describe('the run’s number the prediction is about'),
    note: z.string().trim().max(200, 'note must be at most 200 characters').default('').describe('what you will change, e.g. "prepared statements off"'),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field(s): ${iss.keys.join(', ')}` : 'the body must be a JSON object') },
);
export type PredictionInput = z.output<typeof PredictionInput>;

const RunRef = z.object({ run: z.string(), scenario: z.string(), value: z.number().nullable(), finished_at: z.string().nullable() });

export const Prediction = z
  .object({
    id: z.number(),
    at: z.string().describe('when the prediction was made'),
    metric: z.enum(PREDICTION_METRICS),
    predicted_pct: z.number(),
    note: z.string(),
    before: RunRef.describe('the newest finished run when the prediction was made: the baseline'),
    after: RunRef.nullable().describe('the first finished run of the same scenario after the prediction (null: not run yet)'),
    measured_pct: z.number().nullable().describe('after against before, in percent'),
    off_by_points: z.number().nullable().describe('measured − predicted, in percentage points'),
    differed: z.array(z.string()).describe('the knobs the two runs ran under that differ, as "name: a → b"'),
  })
  .meta({ id: 'Prediction' });
export type Prediction = z.output<typeof Prediction>;

export const Predictions = z.object({ predictions: z.array(Prediction).describe('newest first') }).meta({ id: 'Predictions' });
