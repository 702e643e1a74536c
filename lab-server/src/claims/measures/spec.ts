import { z } from 'zod';

/** A measure's spec as chapter files write it: strict, so a misspelt parameter fails when the chapter loads. */
export const measureSchema = <K extends string, T extends z.ZodRawShape>(kind: K, shape: T) =>
  z.strictObject(
    { kind: z.literal(kind), ...shape },
    { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field(s): ${iss.keys.join(', ')}` : undefined) },
  );
