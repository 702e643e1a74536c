import { ApiError } from '../../lab-server/src/http/api-error';
import { parseJsonText } from '../../lab-server/src/net/json-text';

/**
 * The lab's HTTP API from the browser: an error answer becomes the lab's own ApiError (status, code, message,
 * details).
 */
export { ApiError };

export interface Reply<T> {
  status: number;
  body: T;
  headers: Headers;
}

declare global {
  interface Window {
    /** Requests index.html started before the app loaded (the first chapter and the index), each taken once. */
    labEarly?: Map<string, Promise<Response>>;
  }
}

/** A GET that index.html already sent, taken once so a later call asks the lab again. */
function early(method: string, path: string): Promise<Response> | undefined {
  const started = method === 'GET' ? window.labEarly?.get(path) : undefined;
  if (started) window.labEarly!.delete(path);
  return started;
}

export async function request<T>(method: string, path: string, body?: unknown): Promise<Reply<T>> {
  const init: RequestInit = { method, headers: { accept: 'application/json' } };
  // The lab accepts an acting request from a browser only as JSON (docs/security.md): an action without arguments sends {}.
  const payload = body ?? (method === 'GET' || method === 'HEAD' ? undefined : {});
  if (payload !== undefined) {
    init.body = JSON.stringify(payload);
    init.headers = { ...init.headers, 'content-type': 'application/json' };
  }
  let res: Response;
  try {
    res = await (early(method, path) ?? fetch(path, init));
  } catch {
    throw new ApiError(0, 'lab_unreachable', 'The lab is not answering. Is `make dev` still running?');
  }
  const parsed = parseJsonText(await res.text());
  if (res.status >= 400) {
    const e = (parsed as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | null)?.error;
    throw new ApiError(res.status, e?.code ?? 'http_error', e?.message ?? `${method} ${path} answered ${res.status}`, e?.details ?? {});
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  return (await request<T>(method, path, body)).body;
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
