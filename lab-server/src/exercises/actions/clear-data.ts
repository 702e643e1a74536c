import type { z } from 'zod';
import { emptyMessengerTables } from '../../starts/clear.js';
import { stepSchema, type ActionKind } from '../action-kind.js';

const spec = stepSchema('clear-data', {});

export const clearData: ActionKind<z.output<typeof spec>> = {
  do: 'clear-data',
  spec,
  describe: () => 'Delete every row of the messenger tables on every shard (TRUNCATE)',
  run: async (_s, { lab: { cluster } }) => {
    const tables = await emptyMessengerTables(cluster);
    return { detail: `Emptied ${tables} tables on each of ${cluster.shards.length} shards.` };
  },
};
