import { escapeLiteral } from 'pg';
import type pg from 'pg';
import type { Cluster } from '../cluster/cluster.js';
import { rangeFilter } from './ranges.js';
import { ident, movableTables } from './tables.js';
import type { HashRange } from './write-gate.js';

/** Every publication, subscription and slot a reshard creates starts with this, so leftovers can be found. */
export const PREFIX = 'lab_reshard_';

export const streamName = (job: string, from: number, to: number): string => `${PREFIX}${job.replace(/-/g, '').slice(0, 12)}_${from}_${to}`;

/**
 * On the source: a publication of the moving rows. Row filters on UPDATE/DELETE may only use columns of the
 * replica identity, so the moving tables log full old rows (REPLICA IDENTITY FULL) while the move runs.
 */
export async function publish(db: pg.ClientBase, name: string, tables: string[], ranges: readonly HashRange[]): Promise<void> {
  for (const t of tables) await db.query(`ALTER TABLE ${ident(t)} REPLICA IDENTITY FULL`);
  const filter = rangeFilter(ranges);
  await db.query(
    `CREATE PUBLICATION ${ident(name)} FOR TABLE ${tables.map((t) => `${ident(t)} WHERE (${filter})`).join(', ')} WITH (publish = 'insert, update, delete')`,
  );
}

/** On the target: a subscription that copies the published rows, then streams every later change. */
export async function subscribe(db: pg.ClientBase, name: string, sourceUrl: string): Promise<void> {
  await db.query(
    `CREATE SUBSCRIPTION ${ident(name)} CONNECTION ${escapeLiteral(sourceUrl)} PUBLICATION ${ident(name)}
     WITH (copy_data = true, create_slot = true, slot_name = ${escapeLiteral(name)})`,
  );
}

/** Tables of a subscription not yet through the initial copy (state other than 'r' = ready). */
export async function tablesSyncing(db: pg.ClientBase, name: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM pg_subscription_rel r JOIN pg_subscription s ON s.oid = r.srsubid
     WHERE s.subname = $1 AND r.srsubstate <> 'r'`,
    [name],
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
  for (const t of await movableTables(db)) await db.query(`ALTER TABLE ${ident(t)} REPLICA IDENTITY DEFAULT`);
}

/**
 * Removes every reshard leftover on every reachable shard — subscriptions, publications, slots — and
 * restores replica identities. Run after a cancelled or failed move, and at start-up after a crash.
 */
export async function sweep(cluster: Cluster, log: (m: string) => void): Promise<void> {
  for (const shard of cluster.shards) {
    let db: pg.Client;
    try {
      db = await cluster.connectBulk(shard.id, 'shard-lab-reshard-sweep');
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
      await restoreReplicaIdentity(db);
    } finally {
      await db.end().catch(() => undefined);
    }
  }
}

/** What a reshard left on a shard (none after it ended, whatever the outcome): the tests check this. */
export async function leftovers(db: pg.ClientBase): Promise<{ publications: number; subscriptions: number; slots: number }> {
  const { rows } = await db.query<{ p: string; s: string; r: string }>(`
    SELECT (SELECT count(*) FROM pg_publication WHERE pubname LIKE '${PREFIX}%')::text AS p,
           (SELECT count(*) FROM pg_subscription WHERE subname LIKE '${PREFIX}%')::text AS s,
           (SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE '${PREFIX}%')::text AS r`);
  return { publications: Number(rows[0]!.p), subscriptions: Number(rows[0]!.s), slots: Number(rows[0]!.r) };
}
