import type { Request } from 'express';
import { z } from 'zod';
import { ApiError } from './errors.js';

export interface FieldIssue {
  field: string;
  message: string;
}

/**
 * A whole number in a query string, written in decimal digits: `Number()` alone would take `2.5` to a fraction,
 * and `0x10`, `1e2` or a blank to numbers nobody typed. Pipe it into the range the parameter allows.
 */
export const decimalQuery = (field: string) =>
  z
    .string({ error: `${field} must be a whole number` })
    .regex(/^\d{1,9}$/, `${field} must be a whole number`)
    .transform(Number);

/** Validates at the edge: the result is typed, or a 400 lists every field that is wrong. */
export function parse<S extends z.ZodType>(schema: S, input: unknown, what = 'request'): z.infer<S> {
  const result = schema.safeParse(input);
  const fields: FieldIssue[] = result.success
    ? unstorableStrings(result.data)
    : result.error.issues.map((issue) => ({
        field: issue.path.length ? issue.path.join('.') : '(body)',
        message: issue.message,
      }));
  if (fields.length === 0) return result.data as z.infer<S>;
  const summary = fields.map((f) => (f.field === '(body)' ? f.message : `${f.field}: ${f.message}`)).join('; ');
  throw new ApiError(400, 'validation_failed', `Invalid ${what}: ${summary}`, { fields });
}

/** A JSON body, or a clear 415/400 instead of an empty object when the client sent something else. */
export function jsonBody(req: Request): unknown {
  if (!req.is('application/json')) {
    throw new ApiError(415, 'unsupported_media_type', 'Send a JSON body with Content-Type: application/json.');
  }
  return req.body;
}

/**
 * PostgreSQL cannot store U+0000 in text, and a lone UTF-16 surrogate would reach it as U+FFFD, silently changed.
 * Checked here, on every validated value, so no field of any route can carry one to a shard.
 */
export function storable(text: string): boolean {
  return !text.includes('\u0000') && !LONE_SURROGATE.test(text);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const UNSTORABLE = 'must not contain U+0000 or a lone surrogate (PostgreSQL text cannot store them)';

function unstorableStrings(value: unknown, path: (string | number)[] = []): FieldIssue[] {
  if (typeof value === 'string') return storable(value) ? [] : [{ field: path.length ? path.join('.') : '(body)', message: `${path.join('.') || 'the body'} ${UNSTORABLE}` }];
  if (Array.isArray(value)) return value.flatMap((v, i) => unstorableStrings(v, [...path, i]));
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.entries(value).flatMap(([k, v]) => unstorableStrings(v, [...path, k]));
  }
  return [];
}
