import { z } from 'zod';
import { decimalQuery } from '../values/decimal-query.js';

/** Zod pieces every messenger schema shares, so that every field gets the same wording of the same rule. */

export const requiredString = (field: string) => z.string({ error: (iss) => (iss.input === undefined ? `${field} is required` : `${field} must be a string`) });

/** A JSON object body whose unknown keys are an error (the original silently ignored them). */
export const strictBody = <S extends z.ZodRawShape>(shape: S) =>
  z.strictObject(shape, {
    error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field(s): ${iss.keys.join(', ')}` : 'the body must be a JSON object'),
  });

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A UUID in any letter case, normalised to the canonical lower case the ring hashes. */
export const uuidField = (field: string) =>
  requiredString(field)
    .trim()
    .regex(UUID_RE, `${field} must be a UUID`)
    .transform((s) => s.toLowerCase())
    .meta({ format: 'uuid' });

export const MAX_EMAIL = 255;

export const emailField = z
  .string({ error: (iss) => (iss.input === undefined ? 'email is required' : 'email must be a string') })
  .trim()
  .max(MAX_EMAIL, `email must be at most ${MAX_EMAIL} characters`)
  .pipe(z.email({ error: 'email must be a valid e-mail address' }));

/** `?limit=` of every listing: 1–100, default 20. */
export const limitQuery = decimalQuery('limit')
  .pipe(z.number().int().min(1, 'limit must be between 1 and 100').max(100, 'limit must be between 1 and 100'))
  .default(20)
  .meta({ description: 'page size: a whole number from 1 to 100 (default 20)' });

/** Timestamps in responses: RFC 3339, UTC. */
export const timestamp = z.string().meta({ format: 'date-time' });
export const uuid = z.string().meta({ format: 'uuid' });
