import { runWorker } from './worker.js';

/** Entry point of a prefork worker process (forked by Prefork with LAB_WORKER_SPEC). */
runWorker((message) => console.log(`[lab worker ${process.pid}] ${message}`)).catch((err: unknown) => {
  console.error(`[lab worker ${process.pid}] failed to start:`, err instanceof Error ? err.message : err);
  process.exit(1);
});
