import type pg from 'pg';

export interface ShardSpec {
  id: number;
  name: string;
  url: string;
  /** Port of an embedded shard; null for an external server. */
  port: number | null;
  /**
   * Which of an embedded shard's two server directories holds its primary: 0 is `shard-N`, 1 is
   * `shard-N-replica` (after a replica there was promoted). The replica, if any, lives in the other one.
   */
  slot?: 0 | 1;
}

export interface RingVersion {
  version: number;
  strategy: 'md5-ring' | 'modulo';
  vnodes: number | null;
  shards: ShardSpec[];
  reason: string;
  created_at: string;
}

/** The newest ring version in the catalog, or null on a fresh lab. */
export async function latestRing(catalog: pg.Pool): Promise<RingVersion | null> {
  const { rows } = await catalog.query<RingVersion>(
    `SELECT version, strategy, vnodes, shards, reason, to_json(created_at) #>> '{}' AS created_at FROM ring_versions ORDER BY version DESC LIMIT 1`,
  );
  return rows[0] ?? null;
}

export async function ringHistory(catalog: pg.Pool): Promise<RingVersion[]> {
  const { rows } = await catalog.query<RingVersion>(
    `SELECT version, strategy, vnodes, shards, reason, to_json(created_at) #>> '{}' AS created_at FROM ring_versions ORDER BY version`,
  );
  return rows;
}

/** Appends a ring version; the primary key makes two writers of the same version fail instead of both winning. */
export async function saveRing(catalog: pg.Pool, ring: Omit<RingVersion, 'created_at'>): Promise<void> {
  await catalog.query(`INSERT INTO ring_versions (version, strategy, vnodes, shards, reason) VALUES ($1, $2, $3, $4, $5)`, [
    ring.version,
    ring.strategy,
    ring.vnodes,
    JSON.stringify(ring.shards),
    ring.reason,
  ]);
}
