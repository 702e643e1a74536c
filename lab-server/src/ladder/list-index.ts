import type { Cluster } from '../cluster/cluster.js';

/** The index the API's user list reads by (`ORDER BY created_at DESC, id DESC`), as its migration creates it. */
const NAME = 'idx_users_created_at';
const CREATE = `CREATE INDEX IF NOT EXISTS ${NAME} ON users (created_at DESC, id DESC)`;

/** Takes the list's index away on every shard and puts it back: what the ladder's indexes rung adds. */
export interface IndexSwitch {
  /** The index's name, for the climb's notes. */
  readonly name: string;
  drop(): Promise<void>;
  create(): Promise<void>;
}

/**
 * The switch on the lab's shards. The climb drops the index for the rungs below `indexes` and creates it again
 * for that rung (and, whatever happens, when it puts the lab back), with the definition of its migration, so the
 * schema ends as the migrations left it.
 */
export function listIndexSwitch(cluster: Pick<Cluster, 'shards' | 'pools'>): IndexSwitch {
  const everyShard = (sql: string) => Promise.all(cluster.shards.map((s) => cluster.pools.onShard(s.id, (pool) => pool.query(sql)))).then(() => undefined);
  return { name: NAME, drop: () => everyShard(`DROP INDEX IF EXISTS ${NAME}`), create: () => everyShard(CREATE) };
}
