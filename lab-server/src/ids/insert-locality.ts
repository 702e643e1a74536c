import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { v7 } from 'uuid';
import type { Cluster } from '../cluster/cluster.js';

/** One kind of id inserted into its own B-tree: how big the index grew and how fast the rows went in. */
export interface LocalityRun {
  kind: 'uuidv4' | 'uuidv7';
  rows: number;
  /** Pages of the primary-key index (8 kB each) after every row is in. */
  index_pages: number;
  index_bytes: number;
  /** Rows per index page: a page split leaves two half-full pages; appending at the right edge fills them. */
  rows_per_page: number;
  insert_ms: number;
  rows_per_s: number;
}

export interface LocalityReport {
  shard: string;
  rows: number;
  batch: number;
  runs: [LocalityRun, LocalityRun];
  /** The v4 index's size over the v7 one's, as a percentage more (e.g. 38.2 means 38.2 % more pages). */
  v4_extra_pages_percent: number;
  /** v7 insert rate over v4's (a ratio; the machine's load moves it, the page counts do not). */
  v7_rate_ratio: number;
}

const BATCH = 1_000;
const mint = { uuidv4: () => randomUUID(), uuidv7: () => v7() } as const;

/**
 * Inserts `rows` ids of each kind, in batches of 1,000 as an API would, into a temporary table with a B-tree
 * primary key on one shard, and measures the index each one built. Random (v4) ids land on random leaf pages
 * and split them half-full; time-ordered (v7) ids go to the right edge, where PostgreSQL splits a full page
 * 90/10. Temporary tables: nothing is left behind, and no other session sees them.
 */
export async function measureInsertLocality(cluster: Pick<Cluster, 'shards' | 'pools'>, shardName: string, rows: number): Promise<LocalityReport> {
  const shard = cluster.shards.find((s) => s.name === shardName);
  if (!shard) throw new RangeError(shardName);
  const client = await cluster.pools.connectBulk(shard.id, 'shard-lab-id-locality');
  try {
    const run = async (kind: LocalityRun['kind']): Promise<LocalityRun> => {
      const table = `lab_ids_${kind}`;
      await client.query(`CREATE TEMP TABLE ${table} (id uuid PRIMARY KEY)`);
      const started = performance.now();
      for (let done = 0; done < rows; done += BATCH) {
        const ids = Array.from({ length: Math.min(BATCH, rows - done) }, mint[kind]);
        await client.query(`INSERT INTO ${table} (id) SELECT unnest($1::uuid[])`, [ids]);
      }
      const insert_ms = performance.now() - started;
      const { rows: size } = await client.query<{ bytes: string }>(`SELECT pg_relation_size('${table}_pkey') AS bytes`);
      await client.query(`DROP TABLE ${table}`);
      const index_bytes = Number(size[0]!.bytes);
      const index_pages = index_bytes / 8192;
      return {
        kind,
        rows,
        index_pages,
        index_bytes,
        rows_per_page: Math.round((rows / index_pages) * 10) / 10,
        insert_ms: Math.round(insert_ms * 10) / 10,
        rows_per_s: Math.round(rows / (insert_ms / 1000)),
      };
    };
    const v4 = await run('uuidv4');
    const v7run = await run('uuidv7');
    return {
      shard: shardName,
      rows,
      batch: BATCH,
      runs: [v4, v7run],
      v4_extra_pages_percent: Math.round((v4.index_pages / v7run.index_pages - 1) * 1000) / 10,
      v7_rate_ratio: Math.round((v7run.rows_per_s / v4.rows_per_s) * 100) / 100,
    };
  } finally {
    await client.end().catch(() => undefined);
  }
}
