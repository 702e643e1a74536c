import { ApiError } from '../../lab-server/src/http/api-error';
import { parseJsonText } from '../../lab-server/src/net/json-text';

/**
 * The lab's HTTP API from the browser: an error answer becomes the lab's own ApiError (status, code, message,
 * details), and `isMissingRoute` tells "this build has no such route" apart from every other failure.
 */
export { ApiError };

export interface Reply<T> {
  status: number;
  body: T;
  headers: Headers;
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
    res = await fetch(path, init);
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

/** The lab answered 404 route_not_found: the API belongs to a later build. */
export function isMissingRoute(err: unknown): boolean {
  return err instanceof ApiError && err.status === 404 && err.code === 'route_not_found';
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

let capabilities: Promise<Record<string, boolean>> | null = null;

/**
 * Whether the lab has `METHOD path`, from `GET /lab/v1/capabilities` (asked once per page): the lab probes
 * its own optional APIs, so the page never provokes a 404 to find out.
 */
export function probe(method: 'GET' | 'POST', path: string): Promise<boolean> {
  capabilities ??= api<{ apis: Record<string, boolean> }>('GET', '/lab/v1/capabilities').then(
    (r) => r.apis,
    () => {
      capabilities = null;
      return {};
    },
  );
  return capabilities.then((apis) => apis[`${method} ${path}`] ?? false);
}

export const SHARDS_API = { method: 'POST', path: '/lab/v1/shards/plan', name: 'the shard API (POST /lab/v1/shards)' } as const;
export const LOADTESTS_API = { method: 'GET', path: '/lab/v1/loadtests', name: 'the load-test API (POST /lab/v1/loadtests)' } as const;
export const METRICS_API = { method: 'GET', path: '/lab/v1/metrics', name: 'the metrics API (GET /lab/v1/metrics)' } as const;
