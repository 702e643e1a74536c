import { escapeIdentifier } from 'pg';
import type pg from 'pg';

/**
 * The tables a reshard moves: every table with a `ring_hash` column (the ring point of its sharding key),
 * parents before children, so deletes can run children first. A partitioned table counts once, by its own
 * name (the Partitioning chapter can partition `messages`); its partitions are not listed.
 */
export async function movableTables(db: pg.ClientBase | pg.Pool): Promise<string[]> {
  const { rows } = await db.query<{ name: string; parents: string[] }>(`
    SELECT c.relname AS name,
           coalesce(array_agg(DISTINCT p.relname) FILTER (WHERE p.relname IS NOT NULL), '{}') AS parents
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'ring_hash' AND NOT a.attisdropped
    LEFT JOIN pg_constraint f ON f.conrelid = c.oid AND f.contype = 'f'
    LEFT JOIN pg_class p ON p.oid = f.confrelid AND p.oid <> c.oid
    WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
    GROUP BY c.relname
    ORDER BY c.relname`);
  const names = new Set(rows.map((r) => r.name));
  const ordered: string[] = [];
  const visit = (name: string, seen: Set<string>) => {
    if (ordered.includes(name) || seen.has(name)) return;
    seen.add(name);
    for (const p of rows.find((r) => r.name === name)?.parents ?? []) if (names.has(p)) visit(p, seen);
    ordered.push(name);
  };
  for (const r of rows) visit(r.name, new Set());
  return ordered;
}

export const ident = (name: string): string => escapeIdentifier(name);
