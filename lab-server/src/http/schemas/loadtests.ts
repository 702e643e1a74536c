import { z } from 'zod';
import { PercentilesSchema } from './metrics.js';
import { CpuSplitSchema, RunMarkSchema } from '../../contracts/loadtests.js';

// Reply shapes of /lab/v1/loadtests, following run.ts, protocol.ts, mix.ts and scenarios.ts.

const OpName = z.string().describe('an operation, e.g. user.get, conversation.send');
const Flow = z.object({ weight: z.number(), steps: z.array(OpName) });

export const ScenarioSchema = z
  .object({
    name: z.string(),
    title: z.string(),
    description: z.string(),
    original: z.string().describe('which target of the original project it stands for, and how it differs'),
    model: z.enum(['closed', 'rate']),
    connections: z.number(),
    duration_s: z.number(),
    rate: z.number().nullable(),
    phases: z.array(z.object({ label: z.string(), connections: z.number(), duration: z.number() })),
    flows: z.array(Flow),
    needs: z.enum(['users', 'messenger']),
    op_shares: z.record(z.string(), z.number()).describe("each operation's expected share of the requests"),
  })
  .meta({ id: 'Scenario' });

export const ScenariosSchema = z.object({
  scenarios: z.array(ScenarioSchema),
  limits: z.object({ connections: z.number(), duration_s: z.number(), rate: z.number(), warmup_s: z.number() }),
});

const OpSummary = z.object({
  requests: z.number(),
  errors: z.number(),
  share: z.number(),
  expected_share: z.number(),
  expect_status: z.number(),
  statuses: z.record(z.string(), z.number()),
  latency_ms: PercentilesSchema.nullable(),
});

export const LoadSummarySchema = z
  .object({
    requests: z.number(),
    errors: z.number(),
    timeouts: z.number(),
    socket_errors: z.number(),
    non2xx: z.number(),
    duration_s: z.number(),
    requests_per_s: z.number(),
    latency_ms: PercentilesSchema.nullable(),
    error_rate: z.number(),
    status_codes: z.record(z.string(), z.number()),
    ops: z.record(z.string(), OpSummary),
    stopped_early: z.boolean(),
    cpu: CpuSplitSchema.nullable()
      .optional()
      .describe('CPU per part (generator, API, databases, other programs) while the run was measured; null without /proc'),
  })
  .meta({ id: 'LoadSummary' });

export const LoadTestRunSchema = z
  .object({
    id: z.string(),
    scenario: z.string(),
    state: z.enum(['preparing', 'running', 'finished', 'failed', 'cancelled']),
    params: z.object({
      scenario: z.string(),
      model: z.enum(['closed', 'rate']),
      connections: z.number(),
      duration_s: z.number(),
      rate: z.number().nullable(),
      phases: z.array(z.object({ label: z.string(), connections: z.number(), duration_s: z.number(), rate: z.number().nullable() })),
      warmup_s: z.number(),
    }),
    target: z.string(),
    notes: z.array(z.string()),
    pid: z.number().nullable(),
    progress: z
      .object({
        elapsed_s: z.number(),
        duration_s: z.number(),
        phase: z.string().nullable(),
        connections: z.number(),
        requests: z.number(),
        errors: z.number(),
        timeouts: z.number(),
        non2xx: z.number(),
        requests_per_s: z.number(),
        latency_ms: PercentilesSchema.nullable(),
      })
      .nullable(),
    summary: LoadSummarySchema.nullable(),
    error: z.string().nullable(),
    created_at: z.string(),
    started_at: z.string().nullable(),
    finished_at: z.string().nullable(),
    conditions: z.record(z.string(), z.string()).describe('the tuning knobs in force when the run started'),
    marks: z.array(RunMarkSchema).describe('what happened to the cluster during the run (a knob changed, …), at the timeline second it happened'),
    timeline: z
      .array(
        z.object({
          t_s: z.number(),
          phase: z.string(),
          connections: z.number(),
          requests_per_s: z.number(),
          errors_per_s: z.number(),
          latency_ms: PercentilesSchema.nullable(),
        }),
      )
      .optional()
      .describe('per-second samples (only in GET /lab/v1/loadtests/{id})'),
  })
  .meta({ id: 'LoadTestRun' });

export const ComparisonSchema = z.object({
  a: LoadTestRunSchema,
  b: LoadTestRunSchema,
  metrics: z.array(z.object({ name: z.string(), a: z.number().nullable(), b: z.number().nullable(), ratio: z.number().nullable() })),
});
