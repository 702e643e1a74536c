import { z } from 'zod';

/** An event during a load test (a knob turned, …) and, once the run ended, its throughput on either side. */
export const RunMarkSchema = z.object({
  t_s: z.number(),
  kind: z.string(),
  label: z.string(),
  until_s: z.number().optional().describe('for a change that took a while (replacing the workers): the second it was done'),
  around: z
    .object({ before_s: z.number(), before_rps: z.number(), after_s: z.number(), after_rps: z.number(), ratio: z.number() })
    .optional()
    .describe('once the run ended: req/s over the seconds before the event and after it (the second after left out), in the same run'),
});
