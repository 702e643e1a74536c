import { z } from 'zod';
import { strictBody } from '../../messenger/schema-parts.js';
import type { ApiRouter } from '../api-router.js';
import { ApiError } from '../errors.js';
import type { Lab } from '../../lab/lab.js';
import { findShard, runSql, SqlError } from '../../console/sql.js';

const SqlBody = strictBody({
  shard: z.string({ error: 'shard is required (a name like shard-0, or an id)' }).min(1, 'shard is required'),
  sql: z.string({ error: 'sql is required' }).trim().min(1, 'sql must not be empty').max(100_000, 'sql is too long'),
  explain: z.enum(['plan', 'analyze'], { error: 'explain must be plan or analyze' }).nullable().optional(),
});

const SqlRunSchema = z
  .object({
    shard: z.string(),
    results: z.array(
      z.object({ command: z.string(), fields: z.array(z.string()), rows: z.array(z.array(z.string())), row_count: z.number(), truncated: z.boolean() }),
    ),
    duration_ms: z.number(),
  })
  .meta({ id: 'SqlRun' });

/** `POST /lab/v1/sql`: the SQL and EXPLAIN viewer. Runs on one shard, under the console's statement timeout. */
export function sqlRoutes(api: ApiRouter, lab: Pick<Lab, 'cluster' | 'config'>): void {
  api.add(
    {
      method: 'post',
      path: '/sql',
      tag: 'lab: sql',
      summary: 'Run one SQL statement (or EXPLAIN it) on one shard, as the least-privilege console role, cancelled past the console timeout',
      body: SqlBody,
      bodyName: 'SQL request',
      responses: {
        200: { description: "the statement's result", schema: SqlRunSchema },
        400: { description: 'validation_failed (unknown shard too), or sql_failed: the shard refused the statement (more than one statement, too)' },
        409: { description: "console_role_missing: the lab's user may not create the console role on this server" },
        429: { description: 'console_busy: every console connection is taken' },
      },
    },
    async ({ res, body }) => {
      // A client that leaves takes its statement with it: the backend is ended, not left running.
      const left = new AbortController();
      res.on('close', () => res.writableFinished || left.abort());
      const shard = findShard(lab.cluster, body.shard);
      if (!shard) {
        const names = lab.cluster.shards.map((s) => s.name).join(', ');
        throw new ApiError(400, 'validation_failed', `No shard '${body.shard}'; choose one of ${names}.`, {
          fields: [{ field: 'shard', message: 'unknown shard' }],
        });
      }
      try {
        res.json(await runSql(shard, body.sql, body.explain ?? null, { statementTimeoutMs: lab.config.consoleStatementTimeoutMs }, left.signal));
      } catch (err) {
        if (err instanceof SqlError) throw new ApiError(400, 'sql_failed', `${shard.name}: ${err.message}`, { sqlstate: err.sqlstate, position: err.position });
        throw err;
      }
    },
  );
}
