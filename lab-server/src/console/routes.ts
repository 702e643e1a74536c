import { Router as ExpressRouter } from 'express';
import { z } from 'zod';
import { ApiError } from '../http/errors.js';
import { jsonBody, parse } from '../http/validation.js';
import type { Lab } from '../lab/lab.js';
import { findShard, runSql, SqlError } from './sql.js';

const SqlBody = z.strictObject(
  {
    shard: z.string({ error: 'shard is required (a name like shard-0, or an id)' }).min(1, 'shard is required'),
    sql: z.string({ error: 'sql is required' }).trim().min(1, 'sql must not be empty').max(100_000, 'sql is too long'),
    explain: z.enum(['plan', 'analyze'], { error: 'explain must be plan or analyze' }).nullable().optional(),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field(s): ${iss.keys.join(', ')}` : 'the body must be a JSON object') },
);

/** `POST /lab/v1/sql`: the SQL and EXPLAIN viewer. Runs on one shard, under the console's statement timeout. */
export function sqlRoutes(lab: Lab): ExpressRouter {
  const r = ExpressRouter();
  r.post('/sql', async (req, res) => {
    const body = parse(SqlBody, jsonBody(req), 'SQL request');
    const shard = findShard(lab.cluster, body.shard);
    if (!shard) {
      const names = lab.cluster.shards.map((s) => s.name).join(', ');
      throw new ApiError(400, 'validation_failed', `No shard '${body.shard}'; choose one of ${names}.`, { fields: [{ field: 'shard', message: 'unknown shard' }] });
    }
    try {
      res.json(await runSql(shard, body.sql, body.explain ?? null));
    } catch (err) {
      if (err instanceof SqlError) throw new ApiError(400, 'sql_failed', `${shard.name}: ${err.message}`, { sqlstate: err.sqlstate, position: err.position });
      throw err;
    }
  });
  return r;
}
