import type pg from 'pg';
import type { JobRegistry, JobView } from './registry.js';

const KEEP = 100;
const PROGRESS_EVERY_MS = 500;

/**
 * Keeps the job history in the catalog: every state change at once, progress at most twice a second.
 * Jobs that were queued or running when the lab stopped come back as failed, saying so.
 */
export async function persistJobs(registry: JobRegistry, catalog: pg.Pool, log: (m: string) => void): Promise<{ flush(): Promise<void> }> {
  const { rows } = await catalog.query<{ view: JobView }>('SELECT view FROM jobs ORDER BY created_at DESC LIMIT $1', [KEEP]);
  const restored = rows.map(({ view }) =>
    view.state === 'queued' || view.state === 'running'
      ? {
          ...view,
          state: 'failed' as const,
          error: { message: 'The lab stopped while this job was running; start it again.' },
          finished_at: view.finished_at ?? new Date().toISOString(),
        }
      : view,
  );
  registry.restore(restored.reverse());
  for (const v of restored) if (v.state === 'failed' && rows.find((r) => r.view.id === v.id)?.view.state !== 'failed') await save(catalog, v);

  const lastWrite = new Map<string, { at: number; state: string }>();
  // One chain of writes per job, so an older progress write can never land after the final state.
  const chains = new Map<string, Promise<unknown>>();
  registry.on('update', (job) => {
    const last = lastWrite.get(job.id);
    const now = Date.now();
    if (last && last.state === job.state && now - last.at < PROGRESS_EVERY_MS) return;
    lastWrite.set(job.id, { at: now, state: job.state });
    const next = (chains.get(job.id) ?? Promise.resolve())
      .then(() => save(catalog, job))
      .catch((err: unknown) => log(`could not save job ${job.id}: ${err instanceof Error ? err.message : String(err)}`));
    chains.set(job.id, next);
    if (job.finished_at) {
      lastWrite.delete(job.id);
      void next.then(() => chains.get(job.id) === next && chains.delete(job.id));
    }
  });
  return {
    async flush() {
      await Promise.all(chains.values());
    },
  };
}

function save(catalog: pg.Pool, job: JobView): Promise<unknown> {
  return catalog.query(
    `INSERT INTO jobs (id, kind, state, params, view, created_at, finished_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, view = EXCLUDED.view, finished_at = EXCLUDED.finished_at`,
    [job.id, job.kind, job.state, JSON.stringify(job.params), JSON.stringify(job), job.created_at, job.finished_at],
  );
}
