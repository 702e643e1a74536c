import express from 'express';
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
  app.use(express.json({ limit: '1mb' }));
  for (const m of mounts) app.use(m.path, m.router);
  app.use(unknownRoute);
  app.use(errorHandler(log));
  return app;
}
