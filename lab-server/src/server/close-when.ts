import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';

/**
 * The handler, answering `Connection: close` while `closing()` holds — decided when the answer's head is written,
 * not when the request arrived. A request in flight while its server let go of the port (often the very request
 * that asked for it) then tells its client to reconnect, and the client never reuses a connection the server is
 * about to close under it.
 */
export function closeWhen(closing: () => boolean, handler: RequestListener): RequestListener {
  return (req, res) => {
    const writeHead = res.writeHead as (...args: unknown[]) => ServerResponse;
    res.writeHead = ((...args: unknown[]) => {
      if (closing() && !res.headersSent) res.setHeader('connection', 'close');
      return writeHead.apply(res, args);
    }) as typeof res.writeHead;
    handler(req, res);
  };
}

/** Requests still being answered; streams (the event stream), which never end by themselves, are not counted. */
export function countAnswers(handler: RequestListener, isStream: (req: IncomingMessage) => boolean): { handler: RequestListener; pending(): number } {
  let pending = 0;
  return {
    pending: () => pending,
    handler: (req, res) => {
      if (!isStream(req)) {
        pending++;
        res.once('close', () => pending--);
      }
      handler(req, res);
    },
  };
}

/**
 * Stops listening at once, and closes the connections left (streams, terminals, idle keep-alives) once no request
 * is being answered: a long request (a chapter's "Solve it for me" can take minutes) finishes on the old server
 * instead of being cut after a fixed grace. `limitMs` bounds the wait.
 */
export function closeWhenQuiet(server: Server, pending: () => number, limitMs = 10 * 60_000): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const deadline = Date.now() + limitMs;
  const poll = setInterval(() => {
    if (pending() > 0 && Date.now() < deadline) return server.closeIdleConnections();
    clearInterval(poll);
    server.closeAllConnections();
  }, 200);
  poll.unref();
  return closed;
}
