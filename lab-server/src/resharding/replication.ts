import { escapeLiteral } from 'pg';
import { MOVING_SQLSTATE } from '../cluster/errors.js';
import type pg from 'pg';
import type { Cluster } from '../cluster/cluster.js';
import { rangeFilter } from './ranges.js';
import { ident, movableTables } from './tables.js';
import type { HashRange } from '../sharding/write-gate.js';

/** Every publication, subscription and slot a reshard creates starts with this, so leftovers can be found. */
export const PREFIX = 'lab_reshard_';

export const streamName = (job: string, from: number, to: number): string => `${PREFIX}${job.replace(/-/g, '').slice(0, 12)}_${from}_${to}`;

/**
 * A one-row-per-stream table on both sides of a move, published with the moving rows. Bumping a stream's row
 * on the source and waiting for the new value on the target proves the target has applied everything the
 * source committed before it (logical replication applies in commit order) — a catch-up check that needs no
 * status reports from the subscriber.
 */
const SYNC_TABLE = `${PREFIX}sync`;

export async function createSyncTable(db: pg.ClientBase): Promise<void> {
  await db.query(`CREATE TABLE IF NOT EXISTS ${SYNC_TABLE} (stream text PRIMARY KEY, n bigint NOT NULL)`);
}

/** On the source: the stream's next sync mark. */
export async function bumpSync(db: pg.ClientBase, stream: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    `INSERT INTO ${SYNC_TABLE} (stream, n) VALUES ($1, 1) ON CONFLICT (stream) DO UPDATE SET n = ${SYNC_TABLE}.n + 1 RETURNING n::text`,
    [stream],
  );
  return Number(rows[0]!.n);
}

/** On the target: whether the stream has applied sync mark `n`. */
export async function syncReached(db: pg.ClientBase, stream: string, n: number): Promise<boolean> {
  const { rows } = await db.query<{ n: string }>(`SELECT n::text FROM ${SYNC_TABLE} WHERE stream = $1`, [stream]);
  return rows.length > 0 && Number(rows[0]!.n) >= n;
}

export async function dropSyncTable(db: pg.ClientBase): Promise<void> {
  await db.query(`DROP TABLE IF EXISTS ${SYNC_TABLE}`);
}

/**
 * On the source: a publication of the moving rows. Row filters on UPDATE/DELETE may only use columns of the
 * replica identity, so the moving tables log full old rows (REPLICA IDENTITY FULL) while the move runs.
 */
export async function publish(db: pg.ClientBase, name: string, tables: string[], ranges: readonly HashRange[]): Promise<void> {
  for (const t of tables) await replicaIdentity(db, t, 'FULL');
  const filter = rangeFilter(ranges);
  const published = [...tables.map((t) => `${ident(t)} WHERE (${filter})`), `${SYNC_TABLE} WHERE (stream = ${escapeLiteral(name)})`];
  // A partitioned table publishes its rows under its own name, so a target whose table is partitioned differently (or not at all) takes them.
  await db.query(
    `CREATE PUBLICATION ${ident(name)} FOR TABLE ${published.join(', ')} WITH (publish = 'insert, update, delete', publish_via_partition_root = true)`,
  );
}

/** On the target: a subscription that copies the published rows, then streams every later change. */
export async function subscribe(db: pg.ClientBase, name: string, sourceUrl: string): Promise<void> {
  await db.query(
    `CREATE SUBSCRIPTION ${ident(name)} CONNECTION ${escapeLiteral(sourceUrl)} PUBLICATION ${ident(name)}
     WITH (copy_data = true, create_slot = true, slot_name = ${escapeLiteral(name)})`,
  );
}

/**
 * A subscription's tables not yet through the initial copy (state other than 'r' = ready), with their states,
 * and how many initial copies have failed so far (each failure is retried; the reason is in the server's log).
 */
export async function copyState(db: pg.ClientBase, name: string): Promise<{ waiting: string[]; failures: number }> {
  const { rows } = await db.query<{ waiting: string[]; failures: string }>(
    `SELECT coalesce((SELECT array_agg(r.srrelid::regclass::text || ' (state ' || r.srsubstate::text || ')' ORDER BY r.srrelid)
                        FROM pg_subscription_rel r WHERE r.srsubid = s.oid AND r.srsubstate <> 'r'), '{}') AS waiting,
            coalesce((SELECT sync_error_count FROM pg_stat_subscription_stats t WHERE t.subid = s.oid), 0)::text AS failures
       FROM pg_subscription s WHERE s.subname = $1`,
    [name],
  );
  return { waiting: rows[0]?.waiting ?? [], failures: Number(rows[0]?.failures ?? 0) };
}

/**
 * Rows the subscriptions' initial copies have written but not yet committed, in `tables` of this database. Each
 * table's copy is one transaction, so its rows only become visible (and countable) at the end; PostgreSQL
 * reports a running COPY's progress in pg_stat_progress_copy meanwhile.
 */
export async function rowsBeingCopied(db: pg.ClientBase, tables: readonly string[]): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    `SELECT coalesce(sum(c.tuples_processed), 0)::text AS n
       FROM pg_stat_progress_copy c JOIN pg_stat_activity a USING (pid)
      WHERE c.datname = current_database() AND c.command = 'COPY FROM' AND a.backend_type LIKE 'logical replication%'
        AND c.relid::regclass::text = ANY($1)`,
    [tables],
  );
  return Number(rows[0]!.n);
}

/** Drops a subscription and, through it, its slot on the source; if the source is gone, detaches the slot first. */
export async function dropSubscription(db: pg.ClientBase, name: string): Promise<void> {
  const { rowCount } = await db.query('SELECT 1 FROM pg_subscription WHERE subname = $1', [name]);
  if (!rowCount) return;
  try {
    await db.query(`DROP SUBSCRIPTION ${ident(name)}`);
  } catch {
    await db.query(`ALTER SUBSCRIPTION ${ident(name)} DISABLE`);
    await db.query(`ALTER SUBSCRIPTION ${ident(name)} SET (slot_name = NONE)`);
    await db.query(`DROP SUBSCRIPTION ${ident(name)}`);
  }
}

export async function dropPublication(db: pg.ClientBase, name: string): Promise<void> {
  await db.query(`DROP PUBLICATION IF EXISTS ${ident(name)}`);
}

/** After a move: the moving tables go back to logging only their keys. */
export async function restoreReplicaIdentity(db: pg.ClientBase): Promise<void> {
  for (const t of await movableTables(db)) await replicaIdentity(db, t, 'DEFAULT');
}

/**
 * Removes every reshard leftover on every reachable shard — subscriptions, publications, slots — and
 * restores replica identities. Run after a cancelled or failed move, and at start-up after a crash.
 */
export async function sweep(cluster: Pick<Cluster, 'shards' | 'pools'>, log: (m: string) => void): Promise<void> {
  for (const shard of cluster.shards) {
    let db: pg.Client;
    try {
      db = await cluster.pools.connectBulk(shard.id, 'shard-lab-reshard-sweep');
    } catch {
      continue;
    }
    try {
      const subs = await db.query<{ subname: string }>(`SELECT subname FROM pg_subscription WHERE subname LIKE '${PREFIX}%'`);
      for (const { subname } of subs.rows) await dropSubscription(db, subname);
      const pubs = await db.query<{ pubname: string }>(`SELECT pubname FROM pg_publication WHERE pubname LIKE '${PREFIX}%'`);
      for (const { pubname } of pubs.rows) await dropPublication(db, pubname);
      const slots = await db.query<{ slot_name: string }>(`SELECT slot_name FROM pg_replication_slots WHERE slot_name LIKE '${PREFIX}%' AND NOT active`);
      for (const { slot_name } of slots.rows) await db.query('SELECT pg_drop_replication_slot($1)', [slot_name]);
      const found = subs.rowCount! + pubs.rowCount! + slots.rowCount!;
      if (found > 0) log(`${shard.name}: removed ${found} leftover(s) of an interrupted reshard.`);
      await removeGuard(db);
      await restoreReplicaIdentity(db);
      await dropSyncTable(db);
    } finally {
      await db.end().catch(() => undefined);
    }
  }
}

/** What a reshard left on a shard (none after it ended, whatever the outcome): the tests check this. */
export async function leftovers(db: pg.ClientBase): Promise<{ publications: number; subscriptions: number; slots: number; guards: number; tables: number }> {
  const { rows } = await db.query<{ p: string; s: string; r: string; g: string; t: string }>(`
    SELECT (SELECT count(*) FROM pg_publication WHERE pubname LIKE '${PREFIX}%')::text AS p,
           (SELECT count(*) FROM pg_subscription WHERE subname LIKE '${PREFIX}%')::text AS s,
           (SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE '${PREFIX}%')::text AS r,
           (SELECT count(*) FROM pg_trigger WHERE tgname = 'zz_lab_reshard_guard')::text AS g,
           (SELECT count(*) FROM pg_tables WHERE tablename LIKE '${PREFIX}%')::text AS t`);
  return {
    publications: Number(rows[0]!.p),
    subscriptions: Number(rows[0]!.s),
    slots: Number(rows[0]!.r),
    guards: Number(rows[0]!.g),
    tables: Number(rows[0]!.t),
  };
}

const GUARD = 'zz_lab_reshard_guard';

/**
 * While the write pause lasts, a trigger on the source refuses writes to the moving ranges from any writer
 * that does not pass through the lab's write gate (background jobs, a psql session): such a write fails
 * loudly instead of landing on a shard the new ring no longer reads. Named `zz_…` so it runs after the
 * trigger that sets ring_hash.
 */
export async function installGuard(db: pg.ClientBase, tables: string[], ranges: readonly HashRange[]): Promise<void> {
  await db.query(`
    CREATE OR REPLACE FUNCTION lab_reshard_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM unnest(TG_ARGV[0]::bigint[], TG_ARGV[1]::bigint[]) AS r(s, e)
                 WHERE (TG_OP <> 'DELETE' AND NEW.ring_hash BETWEEN r.s AND r.e) OR (TG_OP <> 'INSERT' AND OLD.ring_hash BETWEEN r.s AND r.e)) THEN
        RAISE EXCEPTION 'rows in this hash range are moving to another shard; retry in a moment' USING ERRCODE = '${MOVING_SQLSTATE}';
      END IF;
      RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END $$`);
  const starts = `{${ranges.map((r) => r.start).join(',')}}`;
  const ends = `{${ranges.map((r) => r.end).join(',')}}`;
  for (const t of tables) {
    await db.query(
      `CREATE TRIGGER ${GUARD} BEFORE INSERT OR UPDATE OR DELETE ON ${ident(t)} FOR EACH ROW EXECUTE FUNCTION lab_reshard_guard(${escapeLiteral(starts)}, ${escapeLiteral(ends)})`,
    );
  }
}

export async function removeGuard(db: pg.ClientBase): Promise<void> {
  const { rows } = await db.query<{ table: string }>(`SELECT c.relname AS table FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname = $1`, [
    GUARD,
  ]);
  for (const { table } of rows) await db.query(`DROP TRIGGER IF EXISTS ${GUARD} ON ${ident(table)}`);
  await db.query('DROP FUNCTION IF EXISTS lab_reshard_guard()');
}

/** Sets the replica identity of a table and, when it is partitioned, of every partition: each logs its own old rows. */
async function replicaIdentity(db: pg.ClientBase, table: string, identity: 'FULL' | 'DEFAULT'): Promise<void> {
  // pg_partition_tree lists nothing for a plain table: then the table alone.
  const { rows } = await db.query<{ name: string }>(`SELECT relid::regclass::text AS name FROM pg_partition_tree($1::regclass)`, [table]);
  const names = rows.length > 0 ? rows.map((r) => r.name) : [ident(table)];
  for (const name of names) await db.query(`ALTER TABLE ${name} REPLICA IDENTITY ${identity}`);
}
