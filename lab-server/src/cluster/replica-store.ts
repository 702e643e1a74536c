import type pg from 'pg';

export interface ReplicaRecord {
  shard: string;
  name: string;
  url: string;
  data_dir: string;
}

/** The catalog's record of which shards have a replica (`replicas`), read at start-up. */
export async function savedReplicas(catalog: pg.Pool): Promise<ReplicaRecord[]> {
  const { rows } = await catalog.query<ReplicaRecord>('SELECT shard, name, url, data_dir FROM replicas ORDER BY shard');
  return rows;
}

export async function saveReplica(catalog: pg.Pool, r: ReplicaRecord): Promise<void> {
  await catalog.query(
    `INSERT INTO replicas (shard, name, url, data_dir) VALUES ($1, $2, $3, $4)
     ON CONFLICT (shard) DO UPDATE SET name = EXCLUDED.name, url = EXCLUDED.url, data_dir = EXCLUDED.data_dir, created_at = now()`,
    [r.shard, r.name, r.url, r.data_dir],
  );
}

export async function forgetReplica(catalog: pg.Pool, shard: string): Promise<void> {
  await catalog.query('DELETE FROM replicas WHERE shard = $1', [shard]);
}
