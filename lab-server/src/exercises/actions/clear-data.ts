import type { z } from 'zod';
import { MIGRATIONS_TABLE } from '../../migrations/index.js';
import { stepSchema, type ActionKind } from '../action-kind.js';
import type { ExerciseContext } from '../context.js';

const spec = stepSchema('clear-data', {});

/** Empties the messenger's tables on every shard; the migrations' bookkeeping stays, so the schema does too. */
async function truncateMessengerTables({ lab: { cluster } }: ExerciseContext): Promise<string> {
  const cleared = await Promise.all(
    cluster.shards.map((s) =>
      cluster.pools.onShard(s.id, async (pool) => {
        const { rows } = await pool.query<{ name: string }>(
          `SELECT format('%I', tablename) AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> $1`,
          [MIGRATIONS_TABLE],
        );
        if (rows.length > 0) await pool.query(`TRUNCATE ${rows.map((r) => r.name).join(', ')} CASCADE`);
        return rows.length;
      }),
    ),
  );
  return `Emptied ${cleared[0] ?? 0} tables on each of ${cluster.shards.length} shards.`;
}

export const clearData: ActionKind<z.output<typeof spec>> = {
  do: 'clear-data',
  spec,
  describe: () => 'Delete every row of the messenger tables on every shard (TRUNCATE)',
  run: async (_s, ctx) => ({ detail: await truncateMessengerTables(ctx) }),
};
