import pg from 'pg';
import type { Cluster } from '../cluster/cluster.js';
import { ShardRemovedError, ShardUnavailableError } from '../cluster/errors.js';
import type { RETIRE_HOW } from '../contracts/partitions.js';
import { ConflictError } from '../domain/errors.js';
import { type Holding, heldDdl } from './held-ddl.js';

/**
 * The Partitioning chapter's range case, on the messenger's own `messages`: a step of the chapter turns the
 * table on every shard into `PARTITION BY RANGE (created_at)`, one partition per calendar month (UTC), months
 * created ahead and a DEFAULT partition for anything outside them; the messenger's API goes on reading and
 * writing it by name, and a reset turns it back into a plain table. Old months are then retired in O(1).
 */
export const MONTHLY = 'messages';
const NEXT = 'messages_next';
const FIRST_MONTH = 'lab: partitioned by month from ';
export const MAX_MONTHS_AHEAD = 24;
export type RetireHow = (typeof RETIRE_HOW)[number];

type Pools = Pick<Cluster, 'shards' | 'pools'>;

/** `2025-11` → `messages_m2025_11`; months are UTC calendar months. */
const partitionName = (month: string) => `messages_m${month.replace('-', '_')}`;
const monthOf = (name: string) => /^messages_m(\d{4})_(\d{2})$/.exec(name)?.slice(1, 3).join('-') ?? null;
export const nextMonth = (month: string) => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
};
/** A calendar month as the routes take it. */
export const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

export interface MonthlyBuild {
  months: string[];
  shards: { shard_name: string; rows_copied: number; ms: number }[];
}

/** The months from the oldest message on any shard to `ahead` months past the current one. */
async function monthRange(cluster: Pools, ahead: number): Promise<string[]> {
  const oldest = await Promise.all(
    cluster.shards.map((shard) =>
      cluster.pools.onShard(
        shard.id,
        async (pool) =>
          (await pool.query<{ m: string | null }>(`SELECT to_char(min(created_at) AT TIME ZONE 'UTC', 'YYYY-MM') AS m FROM messages`)).rows[0]?.m ?? null,
      ),
    ),
  );
  const now = new Date();
  let month = `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
  const last = Array.from({ length: ahead }).reduce<string>((m) => nextMonth(m), month);
  const first = oldest.filter((m): m is string => m !== null).sort()[0];
  if (first && first < month) month = first;
  const months = [month];
  while (months.at(-1)! < last) months.push(nextMonth(months.at(-1)!));
  return months;
}

/**
 * The statements that rebuild `messages` on a shard, partitioned by `months` (plus a DEFAULT) or, with none,
 * plain again: a new table beside it, the rows copied, the old one dropped, and the new one given the old
 * names, constraints, indexes and ring-hash trigger. The primary key must include the partition key: each
 * partition checks uniqueness only inside itself, so a partitioned `messages` is keyed (conversation_id, id, created_at).
 */
function rebuildMessages(months: string[] | null): string[] {
  const partitioned = months !== null;
  return [
    `LOCK TABLE ${MONTHLY} IN ACCESS EXCLUSIVE MODE`,
    `CREATE TABLE ${NEXT} (
      conversation_id uuid NOT NULL, id uuid NOT NULL, ring_hash bigint NOT NULL DEFAULT 0, sender_id uuid, body text NOT NULL, created_at timestamptz NOT NULL,
      CONSTRAINT ${NEXT}_pkey PRIMARY KEY (conversation_id, id${partitioned ? ', created_at' : ''})
    )${partitioned ? ' PARTITION BY RANGE (created_at)' : ''}`,
    ...(months ?? []).map(
      (m) => `CREATE TABLE ${NEXT}_m${m.replace('-', '_')} PARTITION OF ${NEXT} FOR VALUES FROM ('${m}-01 00:00:00+00') TO ('${nextMonth(m)}-01 00:00:00+00')`,
    ),
    ...(partitioned ? [`CREATE TABLE ${NEXT}_default PARTITION OF ${NEXT} DEFAULT`] : []),
    `INSERT INTO ${NEXT} (conversation_id, id, ring_hash, sender_id, body, created_at) SELECT conversation_id, id, ring_hash, sender_id, body, created_at FROM ${MONTHLY}`,
    `DROP TABLE ${MONTHLY}`,
    `ALTER TABLE ${NEXT} RENAME TO ${MONTHLY}`,
    // The partitions and every index (the primary key's with its constraint): messages_next_m2025_11_pkey → messages_m2025_11_pkey.
    `DO $$ DECLARE r record; BEGIN
       FOR r IN SELECT relname, relkind FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relname LIKE '${NEXT}_%' LOOP
         EXECUTE format('ALTER %s %I RENAME TO %I', CASE WHEN r.relkind IN ('i', 'I') THEN 'INDEX' ELSE 'TABLE' END, r.relname, '${MONTHLY}_' || substr(r.relname, ${NEXT.length + 2}));
       END LOOP;
     END $$`,
    `ALTER TABLE ${MONTHLY} ADD CONSTRAINT messages_conversation_id_fkey FOREIGN KEY (conversation_id) REFERENCES conversations (id) ON DELETE CASCADE`,
    `ALTER TABLE ${MONTHLY} ADD CONSTRAINT messages_sender_fkey FOREIGN KEY (conversation_id, sender_id)
       REFERENCES conversation_members (conversation_id, user_id) ON DELETE SET NULL (sender_id)`,
    `ALTER TABLE ${MONTHLY} ADD CONSTRAINT messages_body_check CHECK (char_length(body) BETWEEN 1 AND 4000)`,
    `CREATE INDEX idx_messages_ring_hash ON ${MONTHLY} (ring_hash)`,
    `CREATE INDEX idx_messages_sender ON ${MONTHLY} (conversation_id, sender_id)`,
    ...(partitioned ? [`CREATE INDEX ${MONTHLY}_created_at ON ${MONTHLY} (created_at)`] : []),
    `CREATE TRIGGER messages_ring_hash BEFORE INSERT OR UPDATE OF conversation_id, ring_hash ON ${MONTHLY} FOR EACH ROW EXECUTE FUNCTION lab_set_ring_hash('conversation_id')`,
    // The first month built, kept with the table: the month a learner retires first, after its partition is gone.
    `COMMENT ON TABLE ${MONTHLY} IS ${months?.length ? `'${FIRST_MONTH}${months[0]}'` : 'NULL'}`,
  ];
}

/**
 * Rebuilds `messages` on every shard, all at once: partitioned by month (from the oldest message, `ahead`
 * months more, a DEFAULT) or, with `ahead` null, plain again. Each shard's rebuild is one transaction while
 * its requests are held in the lab, so a request waits for it rather than meeting a table half made; it copies
 * every message under that hold, which suits the chapter's thousands of messages, not millions.
 */
async function rebuildAll(cluster: Holding, months: string[] | null): Promise<MonthlyBuild['shards']> {
  return Promise.all(
    cluster.shards.map(async (shard) => {
      const started = performance.now();
      const db = await cluster.pools.connectBulk(shard.id, 'shard-lab-partitioning');
      try {
        await heldDdl(cluster, shard.id, db, rebuildMessages(months), () => undefined);
        await db.query(`ANALYZE ${MONTHLY}`);
        const rows = Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${MONTHLY}`)).rows[0]?.n ?? 0);
        return { shard_name: shard.name, rows_copied: rows, ms: Math.round(performance.now() - started) };
      } finally {
        await db.end().catch(() => undefined);
      }
    }),
  );
}

/** Partitions the messenger's `messages` by month on every shard (or rebuilds its months): a partition per month with messages, `ahead` more, a DEFAULT. */
export async function buildMonthly(cluster: Holding, ahead: number): Promise<MonthlyBuild> {
  const months = await monthRange(cluster, ahead);
  return { months, shards: await rebuildAll(cluster, months) };
}

export interface MonthPartition {
  name: string;
  /** `YYYY-MM`, or null for the DEFAULT partition. */
  month: string | null;
  bound: string;
  rows: number;
  bytes: number;
}

export interface MonthlyReport {
  table: string;
  shards: {
    shard_name: string;
    reachable: boolean;
    built: boolean;
    /** The first month the table was partitioned with (`YYYY-MM`), whether or not it has been retired since. */
    first_month: string | null;
    messages_rows: number;
    partitions: MonthPartition[];
  }[];
}

/** Per shard, each month's partition: its bound, rows counted now, and bytes with indexes (pg_total_relation_size). */
export async function inspectMonthly(cluster: Pools): Promise<MonthlyReport> {
  const shards = await Promise.all(
    cluster.shards.map(async (shard) => {
      try {
        return await cluster.pools.onShard(shard.id, async (pool) => {
          const messages = Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM messages')).rows[0]?.n ?? 0);
          const partitions = await partitionsOf(pool);
          const comment = (await pool.query<{ c: string | null }>(`SELECT obj_description('public.${MONTHLY}'::regclass, 'pg_class') AS c`)).rows[0]?.c;
          const first = partitions && comment?.startsWith(FIRST_MONTH) ? comment.slice(FIRST_MONTH.length) : null;
          return {
            shard_name: shard.name,
            reachable: true,
            built: partitions !== null,
            first_month: first,
            messages_rows: messages,
            partitions: partitions ?? [],
          };
        });
      } catch (err) {
        if (err instanceof ShardRemovedError) return null;
        if (!(err instanceof ShardUnavailableError)) throw err;
        return { shard_name: shard.name, reachable: false, built: false, first_month: null, messages_rows: 0, partitions: [] };
      }
    }),
  );
  return { table: MONTHLY, shards: shards.filter((s) => s !== null) };
}

/**
 * Gives a new shard's `messages` the months the serving shard has (the add-shard job, before any row arrives), so
 * every shard's messages keeps the chapter's shape and a retired month stays retired. Returns those months, or
 * null when the serving shard's messages is plain (then nothing changes).
 */
export async function matchMessagesLayout(serving: pg.Pool, url: string): Promise<string[] | null> {
  const partitions = await partitionsOf(serving);
  if (partitions === null) return null;
  const months = partitions.map((p) => p.month).filter((m): m is string => m !== null);
  const comment = (await serving.query<{ c: string | null }>(`SELECT obj_description('public.${MONTHLY}'::regclass, 'pg_class') AS c`)).rows[0]?.c ?? null;
  const db = new pg.Client({ connectionString: url, application_name: 'shard-lab-partitioning' });
  await db.connect();
  try {
    if ((await partitionsOf(db)) !== null) return months;
    await db.query('BEGIN');
    for (const statement of rebuildMessages(months)) await db.query(statement);
    await db.query(`COMMENT ON TABLE ${MONTHLY} IS ${comment === null ? 'NULL' : db.escapeLiteral(comment)}`);
    await db.query('COMMIT');
  } catch (err) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await db.end().catch(() => undefined);
  }
  return months;
}

async function partitionsOf(db: pg.Pool | pg.ClientBase): Promise<MonthPartition[] | null> {
  const { rows: t } = await db.query<{ kind: string | null }>(`SELECT relkind::text AS kind FROM pg_class WHERE oid = to_regclass('public.${MONTHLY}')`);
  if (t[0]?.kind !== 'p') return null;
  const { rows: parts } = await db.query<{ name: string; bound: string; bytes: string }>(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound, pg_total_relation_size(c.oid) AS bytes
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'public.${MONTHLY}'::regclass`,
  );
  const { rows: counts } = await db.query<{ name: string; n: string }>(`SELECT tableoid::regclass::text AS name, count(*) AS n FROM ${MONTHLY} GROUP BY 1`);
  const counted = new Map(counts.map((c) => [c.name, Number(c.n)]));
  return parts
    .map((p) => ({ name: p.name, month: monthOf(p.name), bound: p.bound, rows: counted.get(p.name) ?? 0, bytes: Number(p.bytes) }))
    .sort((a, b) => (a.month ?? '9999').localeCompare(b.month ?? '9999'));
}

export interface RetireReport {
  month: string;
  how: RetireHow;
  /** Per shard: rows removed, the statement's time, WAL the shard wrote meanwhile, bytes the month's partition gave back, and whether it is still there. */
  shards: { shard_name: string; rows: number; ms: number; wal_bytes: number; bytes_freed: number; partition_left: boolean }[];
}

/**
 * Retires one month on every shard: `drop` detaches its partition and drops it (catalog changes, whatever
 * the size); `delete` deletes its rows, each one written to the WAL and left as a dead tuple in a
 * partition that keeps its size. The month defaults to the oldest month partition on any shard.
 */
export async function retireMonth(cluster: Pools, how: RetireHow, month?: string): Promise<RetireReport> {
  const report = await inspectMonthly(cluster);
  if (report.shards.some((s) => !s.built)) throw new ConflictError('not_partitioned', `Partition ${MONTHLY} by month first (\`partitions months build\`).`);
  const present = [...new Set(report.shards.flatMap((s) => s.partitions.map((p) => p.month)).filter((m): m is string => m !== null))].sort();
  const target = month ?? present[0];
  if (!target || !present.includes(target)) {
    throw new ConflictError('no_such_month', `No shard has a partition for ${target ?? 'any month'}; the months are ${present.join(', ') || 'none'}.`);
  }
  const name = partitionName(target);
  const shards = await Promise.all(
    cluster.shards.map((shard) =>
      cluster.pools.onShard(shard.id, async (pool) => {
        const db = await pool.connect();
        try {
          const size = async () =>
            Number((await db.query<{ b: string | null }>(`SELECT pg_total_relation_size(to_regclass('public.${name}')) AS b`)).rows[0]?.b ?? 0);
          const bytesBefore = await size();
          if (bytesBefore === 0 && !(await db.query(`SELECT 1 FROM pg_class WHERE relname = '${name}'`)).rowCount) {
            return { shard_name: shard.name, rows: 0, ms: 0, wal_bytes: 0, bytes_freed: 0, partition_left: false };
          }
          const rows = Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${name}`)).rows[0]?.n ?? 0);
          const lsn = (await db.query<{ l: string }>('SELECT pg_current_wal_lsn()::text AS l')).rows[0]!.l;
          const started = performance.now();
          if (how === 'drop') {
            await db.query(`ALTER TABLE ${MONTHLY} DETACH PARTITION ${name}`);
            await db.query(`DROP TABLE ${name}`);
          } else {
            await db.query(`DELETE FROM ${MONTHLY} WHERE created_at >= '${target}-01 00:00:00+00' AND created_at < '${nextMonth(target)}-01 00:00:00+00'`);
          }
          const ms = performance.now() - started;
          const wal = Number((await db.query<{ w: string }>('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn) AS w', [lsn])).rows[0]!.w);
          const left = how === 'delete';
          return {
            shard_name: shard.name,
            rows,
            ms: Math.round(ms * 1000) / 1000,
            wal_bytes: wal,
            bytes_freed: bytesBefore - (left ? await size() : 0),
            partition_left: left,
          };
        } finally {
          db.release();
        }
      }),
    ),
  );
  return { month: target, how, shards };
}

/** Turns `messages` back into a plain table on every shard where it is partitioned (the chapter's reset); no message is lost. */
export async function unpartitionMessages(cluster: Holding): Promise<void> {
  const report = await inspectMonthly(cluster);
  if (report.shards.some((s) => s.built)) await rebuildAll(cluster, null);
}
