import pg from 'pg';

/**
 * A shard's database copied whole by PostgreSQL itself (`CREATE DATABASE … TEMPLATE`): a snapshot is a database
 * nobody may connect to, and restoring it clones it and swaps the clone in under the shard's database name. The
 * copy is block by block, so it costs the size of the data, not the number of rows.
 */

/** A clone of a snapshot made ahead of time, so that a restore is two renames (`lab_ready_<snapshot key>`). */
const READY = 'lab_ready_';
/** The database a restore replaced, dropped after the restore has answered: dropping costs more than cloning. */
const RETIRED = 'lab_retired';
/** An empty database being swapped in, to build a start from the migrations alone. */
const EMPTY = 'lab_empty';

export interface SnapshotInfo {
  name: string;
  bytes: number;
  /** What the lab wrote on it when it took it (a JSON document), or null for a database it did not take. */
  comment: string | null;
}

/** The server's maintenance database, from which databases are created, dropped and renamed. */
export function maintenanceUrl(shardUrl: string): string {
  const url = new URL(shardUrl);
  url.pathname = '/postgres';
  return url.toString();
}

export function databaseOf(shardUrl: string): string {
  return decodeURIComponent(new URL(shardUrl).pathname.slice(1));
}

async function withMaintenance<T>(shardUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: maintenanceUrl(shardUrl), application_name: 'shard-lab-starts' });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const ident = (name: string) => pg.Client.prototype.escapeIdentifier(name);

/** The snapshots on one server whose names start with `prefix`. */
export function listSnapshots(shardUrl: string, prefix: string): Promise<SnapshotInfo[]> {
  return withMaintenance(shardUrl, async (c) => {
    const { rows } = await c.query<{ name: string; bytes: string; comment: string | null }>(
      `SELECT datname AS name, pg_database_size(oid)::text AS bytes, shobj_description(oid, 'pg_database') AS comment
         FROM pg_database WHERE starts_with(datname, $1) ORDER BY datname`,
      [prefix],
    );
    return rows.map((r) => ({ name: r.name, bytes: Number(r.bytes), comment: r.comment }));
  });
}

/**
 * Copies the shard's database into `snapshot`. PostgreSQL copies a database only while no one else is connected
 * to it; pools and probes reconnect at once, so the other sessions are ended again every few milliseconds until
 * the copy has started (a new session then waits for it). The requests they were serving fail, once.
 */
export async function takeSnapshot(shardUrl: string, snapshot: string, comment: string): Promise<number> {
  const source = databaseOf(shardUrl);
  return withMaintenance(shardUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${ident(snapshot)}`);
    const stop = endSessionsUntilDone(shardUrl, source);
    const started = performance.now();
    try {
      await c.query(`CREATE DATABASE ${ident(snapshot)} TEMPLATE ${ident(source)}`);
    } finally {
      await stop();
    }
    const ms = performance.now() - started;
    await c.query(`ALTER DATABASE ${ident(snapshot)} WITH ALLOW_CONNECTIONS false`);
    await c.query(`COMMENT ON DATABASE ${ident(snapshot)} IS ${c.escapeLiteral(comment)}`);
    return ms;
  });
}

const readyName = (snapshot: string) => READY + snapshot.slice(snapshot.lastIndexOf('_') + 1);

/**
 * Makes the next restore of `snapshot` quick: a clone of it, ready to be renamed in. One at a time per server
 * (clones of other snapshots are dropped), so the disk holds at most one spare copy.
 */
export function prepareClone(shardUrl: string, snapshot: string): Promise<void> {
  const ready = readyName(snapshot);
  return withMaintenance(shardUrl, async (c) => {
    const { rows } = await c.query<{ name: string }>('SELECT datname AS name FROM pg_database WHERE starts_with(datname, $1)', [READY]);
    for (const r of rows) if (r.name !== ready) await c.query(`DROP DATABASE ${ident(r.name)}`);
    if (!rows.some((r) => r.name === ready)) await c.query(`CREATE DATABASE ${ident(ready)} TEMPLATE ${ident(snapshot)}`);
  });
}

export interface RestoreTiming {
  /** Cloning the snapshot now, or 0 when a clone was ready. */
  clone_ms: number;
  /** Refusing new sessions, ending the old ones and renaming: the only time the shard cannot answer. */
  swap_ms: number;
}

/**
 * Replaces the shard's database by a clone of `snapshot` (the one prepared ahead, else a fresh one): the old
 * database stops taking connections, its sessions are ended, it is renamed away and the clone renamed in.
 * Pools reconnect to the restored database by its name. The old one is left as `lab_retired` for `dropRetired`.
 */
export async function restoreSnapshot(shardUrl: string, snapshot: string): Promise<RestoreTiming> {
  const ready = readyName(snapshot);
  return withMaintenance(shardUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${ident(RETIRED)}`);
    const cloneStarted = performance.now();
    const { rowCount } = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [ready]);
    if (!rowCount) await c.query(`CREATE DATABASE ${ident(ready)} TEMPLATE ${ident(snapshot)}`);
    const clone_ms = rowCount ? 0 : performance.now() - cloneStarted;
    const swapStarted = performance.now();
    await swapIn(c, databaseOf(shardUrl), ready);
    return { clone_ms, swap_ms: performance.now() - swapStarted };
  });
}

/**
 * Replaces the shard's database by an empty one, as PostgreSQL creates it (from `template1`), so that a start is
 * built from the migrations alone: nothing a chapter or a learner added (a drill's schema, a partitioned copy,
 * a table of their own) can end up in its snapshot.
 */
export function replaceWithEmpty(shardUrl: string): Promise<void> {
  return withMaintenance(shardUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${ident(RETIRED)}`);
    await c.query(`DROP DATABASE IF EXISTS ${ident(EMPTY)}`);
    await c.query(`CREATE DATABASE ${ident(EMPTY)} TEMPLATE template1`);
    await swapIn(c, databaseOf(shardUrl), EMPTY);
  });
}

/**
 * `target` stops taking connections, its sessions are ended, it is renamed away (to `lab_retired`, for
 * `dropRetired`) and `fresh` is renamed in. Pools reconnect to the new database by its name. A step that fails
 * puts the old database back, open again.
 */
async function swapIn(c: pg.Client, target: string, fresh: string): Promise<void> {
  await c.query(`ALTER DATABASE ${ident(target)} WITH ALLOW_CONNECTIONS false`);
  try {
    await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [target]);
    await c.query(`ALTER DATABASE ${ident(target)} RENAME TO ${ident(RETIRED)}`);
  } catch (err) {
    // A session that would not end: the shard keeps its database, open again.
    await c.query(`ALTER DATABASE ${ident(target)} WITH ALLOW_CONNECTIONS true`);
    throw err;
  }
  try {
    await c.query(`ALTER DATABASE ${ident(fresh)} RENAME TO ${ident(target)}`);
  } catch (err) {
    await c.query(`ALTER DATABASE ${ident(RETIRED)} RENAME TO ${ident(target)}`);
    await c.query(`ALTER DATABASE ${ident(target)} WITH ALLOW_CONNECTIONS true`);
    throw err;
  }
}

/** Drops the database the last restore replaced. */
export function dropRetired(shardUrl: string): Promise<void> {
  return withMaintenance(shardUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${ident(RETIRED)}`);
  });
}

/** Drops the clones made ahead of time (every one, or those of snapshots not in `keep`). */
export function dropClones(shardUrl: string, keep: readonly string[] = []): Promise<void> {
  const kept = new Set(keep.map(readyName));
  return withMaintenance(shardUrl, async (c) => {
    const { rows } = await c.query<{ name: string }>('SELECT datname AS name FROM pg_database WHERE starts_with(datname, $1)', [READY]);
    for (const r of rows) if (!kept.has(r.name)) await c.query(`DROP DATABASE ${ident(r.name)}`);
  });
}

export function dropSnapshot(shardUrl: string, snapshot: string): Promise<void> {
  return withMaintenance(shardUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${ident(snapshot)}`);
  });
}

/** Ends every other session on `database` until the returned function is called (and has finished its round). */
function endSessionsUntilDone(shardUrl: string, database: string): () => Promise<void> {
  let done = false;
  const loop = withMaintenance(shardUrl, async (c) => {
    while (!done) {
      await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
      await new Promise((r) => setTimeout(r, 20));
    }
  }).catch(() => undefined);
  return async () => {
    done = true;
    await loop;
  };
}
