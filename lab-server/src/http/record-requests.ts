import type { Request, RequestHandler } from 'express';
import type { ApiRecorder } from '../metrics/api-recorder.js';

/** Long-lived streams have no meaningful duration; they are not counted as requests. */
const STREAMS = new Set(['/lab/v1/events']);

/**
 * The route pattern a request matched (`/api/v1/users/:id`), never the raw path, so label values stay few.
 * Express clears `baseUrl` when an error leaves a mounted router, so the mount prefix is then rebuilt from
 * the URL: the pattern has as many segments as the end of the path.
 */
export function routeLabel(req: Request): string {
  const pattern = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof pattern !== 'string') return 'unmatched';
  let base = req.baseUrl;
  if (!base) {
    const path = req.originalUrl.split('?', 1)[0]!.split('/');
    const tail = pattern === '/' ? 0 : pattern.split('/').length - 1;
    base = path.slice(0, path.length - tail).join('/');
  }
  // A router's root route ('/') under a mount reads as the mount itself: /lab/v1/loadtests, not …/loadtests/.
  return pattern === '/' && base ? base : base + pattern;
}

/** Express middleware: every request's route, status and duration into the recorder (aborted requests as 499). */
export function recordRequests(recorder: ApiRecorder): RequestHandler {
  return (req, res, next) => {
    if (STREAMS.has(req.path)) return next();
    const started = performance.now();
    const api = req.url.startsWith('/api/');
    if (api) recorder.inFlight++;
    res.once('close', () => {
      if (api) recorder.inFlight--;
      const status = res.writableFinished ? res.statusCode : 499;
      recorder.record(recorder.route(req.method, routeLabel(req)), status, performance.now() - started, api);
    });
    next();
  };
}
