import { CliError } from './output.js';

/** Where the CLI finds a running lab: LAB_URL, else the default address of `make dev`. */
export function labUrl(): string {
  return (process.env.LAB_URL ?? `http://127.0.0.1:${process.env.PORT ?? 8080}`).replace(/\/$/, '');
}

interface ApiErrorBody {
  error?: { code?: string; message?: string };
}

/** Calls the lab's HTTP API; a lab that is not running, and any API error, become one readable line. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const url = `${labUrl()}${path}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new CliError(`The lab is not running at ${labUrl()}. Start it with 'make dev' (or set LAB_URL).`);
  }
  const text = await res.text();
  const parsed: unknown = text ? JSON.parse(text) : null;
  if (res.status >= 400 && res.status !== 503) {
    const e = (parsed as ApiErrorBody | null)?.error;
    throw new CliError(`${method} ${path} → ${res.status} ${e?.code ?? ''}: ${e?.message ?? text}`);
  }
  return { status: res.status, body: parsed as T };
}
