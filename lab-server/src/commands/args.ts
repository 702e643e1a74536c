import { z } from 'zod';

/** Argument schemas shared by the command modules: positionals arrive as `_`, flags by name. */
export const arg = (name: string) => z.string({ error: `${name} is required` });

const TOO_MANY = { error: (iss: { code?: string }) => (iss.code === 'too_big' ? 'too many arguments' : undefined) };

/**
 * Positional arguments in order; trailing ones may be `.optional()`. Missing ones are filled with undefined
 * first, so the error names the argument (`ID is required`) instead of counting items.
 */
export const positionals = <T extends readonly [z.core.SomeType, ...z.core.SomeType[]]>(items: T) =>
  z.preprocess((v) => (Array.isArray(v) && v.length < items.length ? [...v, ...new Array<undefined>(items.length - v.length)] : v), z.tuple(items, TOO_MANY));

export const noArgs = z.object({ _: z.tuple([], TOO_MANY) });

/** `--users 10000` or a positional: a whole number ≥ `min`. */
export const wholeNumber = (name: string, min = 0) =>
  z
    .string()
    .regex(/^\d+$/, `${name} must be a whole number`)
    .transform(Number)
    .refine((n) => n >= min, `${name} must be at least ${min}`);
