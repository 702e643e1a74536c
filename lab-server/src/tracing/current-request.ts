import { AsyncLocalStorage } from 'node:async_hooks';
import type http from 'node:http';

/**
 * The HTTP request the code running now serves, for anything that must say later which request it held up
 * (the write gate's pause log). It keeps the request object itself; the label is built only when asked.
 */
const current = new AsyncLocalStorage<http.IncomingMessage>();

export const withCurrentRequest = <T>(req: http.IncomingMessage, fn: () => T): T => current.run(req, fn);

/** "POST /api/v1/users", or null outside a request (a seed job, a test calling a service). */
export function currentRequest(): string | null {
  const req: (http.IncomingMessage & { originalUrl?: string }) | undefined = current.getStore();
  // Express rewrites `url` under a mounted router; `originalUrl` keeps what the client sent.
  return req ? `${req.method ?? ''} ${(req.originalUrl ?? req.url ?? '/').split('?', 1)[0]}` : null;
}
