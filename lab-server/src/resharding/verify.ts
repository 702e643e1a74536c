import type pg from 'pg';
import { throwIfCancelled, type JobContext } from '../jobs/registry.js';
import type { BulkConnections, WithBulk } from './bulk.js';
import { checksum, type TableChecksum } from './checksum.js';
import type { ReshardPlan } from './plan.js';
import { bumpSync, streamName, syncReached } from './replication.js';

const SYNC_TIMEOUT_MS = 30_000;
const SYNC_POLL_MS = 5;

/** Bumps every stream's sync mark on its source and waits until its target has applied it. */
export async function syncStreams(withBulk: WithBulk, job: string, plan: ReshardPlan, ctx: JobContext): Promise<void> {
  const deadline = Date.now() + SYNC_TIMEOUT_MS;
  await Promise.all(
    plan.streams.map(async (stream) => {
      const name = streamName(job, stream.from.id, stream.to.id);
      const mark = await withBulk(stream.from.id, (db) => bumpSync(db, name));
      while (!(await withBulk(stream.to.id, (db) => syncReached(db, name, mark)))) {
        throwIfCancelled(ctx.signal);
        if (Date.now() > deadline)
          throw new Error(
            `${stream.to.name} did not catch up with ${stream.from.name} within ${SYNC_TIMEOUT_MS / 1000} s; nothing was switched, the move was rolled back.`,
          );
        await new Promise((r) => setTimeout(r, SYNC_POLL_MS));
      }
    }),
  );
}

/** Opens a read-only repeatable-read transaction on the connection: what it reads from now on is this moment. */
export async function takeSnapshot(db: pg.Client): Promise<void> {
  await db.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SELECT 1');
}

/** Compares every moving table's row count and per-row checksum on the two snapshots of each stream. */
export async function compareChecksums(snapshots: BulkConnections, plan: ReshardPlan, ctx: JobContext): Promise<TableChecksum[]> {
  const totals: TableChecksum[] = plan.tables.map((table) => ({ table, rows: 0, checksum: '0' }));
  const diffs: string[] = [];
  const pairs = plan.streams.flatMap((stream) => plan.tables.map((table, i) => ({ stream, table, i })));
  const results = await Promise.all(
    pairs.map(({ stream, table }) =>
      Promise.all([
        snapshots.use(stream.from.id, (db) => checksum(db, table, stream.ranges)),
        snapshots.use(stream.to.id, (db) => checksum(db, table, stream.ranges)),
      ]),
    ),
  );
  pairs.forEach(({ stream, table, i }, k) => {
    const [src, dst] = results[k]!;
    if (src.rows !== dst.rows || src.checksum !== dst.checksum) {
      diffs.push(`${table} ${stream.from.name}→${stream.to.name}: ${src.rows} rows vs ${dst.rows}${src.rows === dst.rows ? ' (contents differ)' : ''}`);
    }
    totals[i]!.rows += src.rows;
    totals[i]!.checksum = (BigInt(totals[i]!.checksum) + BigInt(src.checksum)).toString();
  });
  if (diffs.length > 0) throw new Error(`verify failed: ${diffs.join('; ')}. Nothing was switched; the move was rolled back.`);
  ctx.note(`Verified ${totals.map((t) => `${t.table}: ${t.rows} rows`).join(', ')}: counts and per-row checksums match.`);
  return totals;
}
