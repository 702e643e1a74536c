import { LadderRequestSchema, LadderViewSchema } from '../../contracts/ladder.js';
import { ladder } from '../../ladder/ladder.js';
import { listIndexSwitch } from '../../ladder/list-index.js';
import type { Lab } from '../../lab/lab.js';
import { SelfClient } from '../../net/self-client.js';
import type { ApiRouter } from '../api-router.js';

/** `/lab/v1/ladder`: the scaling ladder measured in one run — the same load test on each rung, with ratios. */
export function ladderRoutes(api: ApiRouter, lab: Pick<Lab, 'config' | 'loadtests' | 'cluster'>): void {
  const tag = 'lab: ladder';

  api.add(
    {
      method: 'get',
      path: '/ladder',
      tag,
      summary:
        'The last climb of the scaling ladder (or the one running): each rung’s median req/s, p50, p99 and spread over its runs, errors, stale reads and replica lag, with ratios against the first',
      responses: { 200: { description: 'the climb', schema: LadderViewSchema } },
    },
    ({ res }) => {
      res.json(ladder.get());
    },
  );

  api.add(
    {
      method: 'post',
      path: '/ladder',
      tag,
      summary:
        'Climb the ladder: run the same load test on each rung (baseline, indexes, replicas, pooling, cache, shards), repeats times each, each rung keeping the ones below; everything switched is put back afterwards',
      body: LadderRequestSchema,
      bodyOptional: true,
      bodyName: 'climb',
      responses: {
        202: { description: 'the climb, started; poll GET /lab/v1/ladder', schema: LadderViewSchema },
        409: { description: 'ladder_running: one climb at a time; loadtest_running: a load test is already running' },
      },
    },
    ({ req, res, body }) => {
      lab.loadtests.assertIdle();
      res.status(202).json(ladder.start(SelfClient.from(req, lab.config.token), listIndexSwitch(lab.cluster), body));
    },
  );

  api.add(
    {
      method: 'delete',
      path: '/ladder',
      tag,
      summary: 'Cancel the running climb (its load test too, and put the lab back), or forget the last one',
      responses: { 200: { description: 'the climb now', schema: LadderViewSchema } },
    },
    ({ res }) => {
      res.json(ladder.cancel());
    },
  );
}
