import { expect, it } from 'vitest';
import { JobRegistry } from '../jobs/registry.js';
import { prepareRun, type PrepareDeps } from './prepare.js';
import { findScenario } from './scenarios.js';

/** A cluster with no shard up: it holds no users, so a run would seed first. */
const deps = (jobs: JobRegistry): PrepareDeps => ({
  cluster: { shards: [], pools: {} as PrepareDeps['cluster']['pools'] },
  // Only a seed job that runs would ask for it, and none runs here.
  router: () => {
    throw new Error('no seed runs in these tests');
  },
  jobs,
  target: () => 'http://127.0.0.1:1',
});

it('does not ask for a seed job when told not to: a job running a load test would wait for it for ever', async () => {
  const jobs = new JobRegistry();
  const prep = await prepareRun(deps(jobs), findScenario('smoke')!, new AbortController().signal, () => undefined, false);
  expect(prep.data.user_ids).toEqual([]);
  expect(jobs.list()).toEqual([]);
});

it('asks for a seed job when there are almost no users and seeding is allowed', async () => {
  const jobs = new JobRegistry();
  // A job that never ends holds the queue: the seed job waits behind it, as it would behind the starvation job.
  jobs.submit('holder', {}, 1, () => new Promise(() => undefined));
  const abort = new AbortController();
  const run = prepareRun(deps(jobs), findScenario('smoke')!, abort.signal, () => undefined, true);
  await expect.poll(() => jobs.list().map((j) => [j.kind, j.state])).toContainEqual(['seed', 'queued']);
  abort.abort();
  await expect(run).rejects.toThrow(/seeding users before the run cancelled/);
});
