import type pg from 'pg';
import { MIGRATIONS_TABLE, pgErrorText } from '../migrations/index.js';

/** What is compared: the messenger's schema (`public`) as the catalog describes it, and its tracking table. */
export type DriftKind = 'table' | 'column' | 'index' | 'constraint' | 'migration';
export interface SchemaItem {
  kind: DriftKind;
  name: string;
  definition: string;
}

export interface DriftDifference {
  shard: string;
  kind: DriftKind;
  name: string;
  /** missing: the other shards have it; extra: only this shard (or a minority) has it; differs: same name, other definition. */
  problem: 'missing' | 'extra' | 'differs';
  expected: string | null;
  found: string | null;
}

export interface DriftReport {
  shards: { shard: string; error: string | null; items: number; differences: number }[];
  differences: DriftDifference[];
  verdict: string;
}

/** The index a drift drill creates by hand on one shard, as someone fixing a slow query in production might. */
export const DRIFT_INDEX = 'lab_drift_users_created_at';
export const DRIFT_SQL = `CREATE INDEX IF NOT EXISTS ${DRIFT_INDEX} ON public.users (created_at)`;

const CATALOG_SQL = `
SELECT 'table' AS kind, c.relname AS name, c.relkind::text AS definition
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
UNION ALL
SELECT 'column', table_name || '.' || column_name,
       data_type || CASE WHEN is_nullable = 'NO' THEN ' not null' ELSE '' END || coalesce(' default ' || column_default, '')
  FROM information_schema.columns WHERE table_schema = 'public'
UNION ALL
SELECT 'index', indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'
UNION ALL
SELECT 'constraint', t.relname || '.' || con.conname, pg_get_constraintdef(con.oid)
  FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
 WHERE n.nspname = 'public'`;

/** One shard's schema items, its applied migrations among them. */
export async function readSchema(pool: pg.Pool): Promise<SchemaItem[]> {
  const items = (await pool.query<SchemaItem>(CATALOG_SQL)).rows;
  const tracked = (await pool.query<{ ok: boolean }>(`SELECT to_regclass('public.${MIGRATIONS_TABLE}') IS NOT NULL AS ok`)).rows[0]?.ok;
  if (tracked) {
    const { rows } = await pool.query<{ name: string }>(`SELECT name FROM public.${MIGRATIONS_TABLE}`);
    for (const r of rows) items.push({ kind: 'migration', name: r.name, definition: 'applied' });
  }
  return items;
}

/**
 * Compares the shards' schemas item by item. What most answering shards have (by name, then by definition) is
 * expected; each shard's departures from it are its differences. A shard that did not answer is named, not compared.
 */
export function compareSchemas(read: { shard: string; items: SchemaItem[] | null; error: string | null }[]): DriftReport {
  const answering = read.filter((r): r is { shard: string; items: SchemaItem[]; error: null } => r.items !== null);
  const key = (i: Pick<SchemaItem, 'kind' | 'name'>) => `${i.kind}\u0000${i.name}`;
  const defs = new Map<string, Map<string, number>>();
  for (const r of answering) {
    for (const i of r.items) {
      const counts = defs.get(key(i)) ?? new Map<string, number>();
      counts.set(i.definition, (counts.get(i.definition) ?? 0) + 1);
      defs.set(key(i), counts);
    }
  }
  const expected = new Map<string, SchemaItem>();
  for (const [k, counts] of defs) {
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    if (total * 2 <= answering.length) continue;
    const [definition] = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]!;
    const [kind, name] = k.split('\u0000') as [DriftKind, string];
    expected.set(k, { kind, name, definition });
  }
  const differences: DriftDifference[] = [];
  for (const r of answering) {
    const mine = new Map(r.items.map((i) => [key(i), i]));
    for (const [k, e] of expected) {
      const found = mine.get(k);
      if (!found) differences.push({ shard: r.shard, kind: e.kind, name: e.name, problem: 'missing', expected: e.definition, found: null });
      else if (found.definition !== e.definition)
        differences.push({ shard: r.shard, kind: e.kind, name: e.name, problem: 'differs', expected: e.definition, found: found.definition });
    }
    for (const [k, i] of mine) {
      if (!expected.has(k)) differences.push({ shard: r.shard, kind: i.kind, name: i.name, problem: 'extra', expected: null, found: i.definition });
    }
  }
  const shards = read.map((r) => ({
    shard: r.shard,
    error: r.error,
    items: r.items?.length ?? 0,
    differences: differences.filter((d) => d.shard === r.shard).length,
  }));
  const drifted = shards.filter((s) => s.differences > 0).map((s) => s.shard);
  const down = shards.filter((s) => s.error !== null).map((s) => s.shard);
  const verdict =
    (drifted.length === 0
      ? `All ${answering.length} answering shards have the same schema (${expected.size} tables, columns, indexes, constraints and applied migrations).`
      : `${drifted.join(', ')} ${drifted.length === 1 ? 'differs' : 'differ'} from the other shards: ${differences.length} difference(s).`) +
    (down.length > 0 ? ` Not compared (did not answer): ${down.join(', ')}.` : '');
  return { shards, differences, verdict };
}

/** Reads each shard and compares; a shard's read error is reported, not thrown. */
export async function schemaDrift(shards: { name: string; read: () => Promise<SchemaItem[]> }[]): Promise<DriftReport> {
  const read = await Promise.all(
    shards.map(async (s) => {
      try {
        return { shard: s.name, items: await s.read(), error: null };
      } catch (e) {
        return { shard: s.name, items: null, error: `${s.name}: ${pgErrorText(e)}` };
      }
    }),
  );
  return compareSchemas(read);
}
