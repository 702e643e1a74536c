import type { Request } from 'express';
import type { z } from 'zod';
import { ApiError } from './errors.js';

export interface FieldIssue {
  field: string;
  message: string;
}

/** Validates at the edge: the result is typed, or a 400 lists every field that is wrong. */
export function parse<S extends z.ZodType>(schema: S, input: unknown, what = 'request'): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fields: FieldIssue[] = result.error.issues.map((issue) => ({
    field: issue.path.length ? issue.path.join('.') : '(body)',
    message: issue.message,
  }));
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
