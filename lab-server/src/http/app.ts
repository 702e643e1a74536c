import express, { type RequestHandler } from 'express';
import { serialiseJson } from '../tracing/serialise.js';
import { inSpan, tracing } from '../tracing/tracing.js';
import { errorHandler, unknownRoute } from './errors.js';

export interface Mount {
  path: string;
  router: express.Router;
}

/** Assembles the HTTP app: JSON parsing, the mounted feature routers, then the one error shape for everything. */
export function createApp(mounts: Mount[], log: (message: string) => void): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(serialisedJson);
  app.use(traced('parse JSON body', express.json({ limit: '1mb' })));
  for (const m of mounts) app.use(m.path, m.router);
  app.use(unknownRoute);
  app.use(errorHandler(log));
  return app;
}

/** A traced request's `res.json` builds its text in a span of its own: the latency breakdown's serialisation part. */
const serialisedJson: RequestHandler = (_req, res, next) => {
  if (tracing()) {
    res.json = (body?: unknown) => {
      const text = serialiseJson(body);
      if (!res.get('Content-Type')) res.type('json');
      return res.send(text);
    };
  }
  next();
};

/**
 * A middleware as a span of a traced request that has a body. The rest of the chain runs after the span, not
 * inside it, so the spans that follow are its siblings.
 */
function traced(name: string, mw: RequestHandler): RequestHandler {
  return (req, res, next) => {
    if (!tracing() || (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined)) return mw(req, res, next);
    let error: unknown;
    const size = { 'http.request.body.size': Number(req.headers['content-length'] ?? 0) };
    void inSpan(name, size, () => new Promise<void>((resolve) => mw(req, res, (err?: unknown) => ((error = err), resolve())))).then(() => next(error));
  };
}
