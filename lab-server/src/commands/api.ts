import { z } from 'zod';
import { CommandError, type LabClient, type LabReply } from './command.js';

const ErrorBody = z.object({ error: z.object({ code: z.string().optional(), message: z.string().optional() }) });

/** The API's own error message (`{"error":{"code","message"}}`), or the status when the body has none. */
export function errorText(method: string, path: string, reply: LabReply): string {
  const e = ErrorBody.safeParse(reply.body);
  const code = e.success ? (e.data.error.code ?? '') : '';
  const message = e.success ? (e.data.error.message ?? '') : `HTTP ${reply.status}`;
  return `${method} ${path} → ${reply.status} ${code}: ${message}`;
}

/**
 * Calls the lab and checks the reply against `schema`: an API error becomes the API's own message, and a
 * reply of another shape says so instead of printing `undefined` (the lab and the CLI may be different builds).
 * `accept` lists error statuses whose body the command reads itself (e.g. 503 from /health).
 */
export async function request<S extends z.ZodType>(
  lab: LabClient,
  method: string,
  path: string,
  schema: S,
  body?: unknown,
  accept: readonly number[] = [],
): Promise<{ status: number; body: z.output<S> }> {
  const reply = await lab.call(method, path, body);
  if (reply.status >= 400 && !accept.includes(reply.status)) throw new CommandError(errorText(method, path, reply));
  const parsed = schema.safeParse(reply.body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CommandError(
      `${method} ${path} answered in an unexpected shape (${issue?.path.join('.') || 'body'}: ${issue?.message ?? '?'}); is the lab the same version?`,
    );
  }
  return { status: reply.status, body: parsed.data };
}

export const get = async <S extends z.ZodType>(lab: LabClient, path: string, schema: S): Promise<z.output<S>> => (await request(lab, 'GET', path, schema)).body;
export const post = async <S extends z.ZodType>(lab: LabClient, path: string, schema: S, body: unknown = {}): Promise<z.output<S>> =>
  (await request(lab, 'POST', path, schema, body)).body;

export const seg = encodeURIComponent;
