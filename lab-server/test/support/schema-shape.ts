import type pg from 'pg';

/**
 * One schema's shape, comparable whether it was read from a migrated database or from schema.prisma:
 * tables → columns (SQL type, nullability, default or generation expression), primary key, unique and
 * plain indexes, foreign keys. `prisma migrate diff` would do this, but it needs the schema engine,
 * which cannot be installed offline (FACTS.md), so both sides are described here by hand.
 */
export interface TableShape {
  columns: Record<string, { type: string; nullable: boolean; default: string | null }>;
  primaryKey: string[];
  indexes: Record<string, { unique: boolean; columns: string[] }>;
  foreignKeys: Record<string, { columns: string[]; references: string; referencedColumns: string[]; onDelete: string; onUpdate: string }>;
}
export type SchemaShape = Record<string, TableShape>;

const ACTIONS: Record<string, string> = { a: 'NoAction', r: 'Restrict', c: 'Cascade', n: 'SetNull', d: 'SetDefault' };

/** The public schema of a migrated database, minus the migration runner's own table. */
export async function databaseShape(client: pg.Client): Promise<SchemaShape> {
  const shape: SchemaShape = {};
  const table = (name: string) => (shape[name] ??= { columns: {}, primaryKey: [], indexes: {}, foreignKeys: {} });
  const cols = await client.query<{ table: string; column: string; type: string; notnull: boolean; def: string | null; generated: string; identity: string }>(`
    SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull,
           pg_get_expr(d.adbin, d.adrelid) AS def, a.attgenerated AS generated, a.attidentity AS identity
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped AND c.relname <> 'lab_migrations'
    ORDER BY c.relname, a.attnum`);
  for (const r of cols.rows) {
    const def = r.identity ? 'autoincrement()' : r.generated === 's' ? `generated:${r.def}` : r.def;
    table(r.table).columns[r.column] = { type: r.type, nullable: !r.notnull, default: def };
  }
  const idx = await client.query<{ table: string; name: string; primary: boolean; unique: boolean; def: string }>(`
    SELECT t.relname AS table, i.relname AS name, x.indisprimary AS primary, x.indisunique AS unique, pg_get_indexdef(x.indexrelid) AS def
    FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
    WHERE n.nspname = 'public' AND t.relname <> 'lab_migrations'`);
  for (const r of idx.rows) {
    const columns = /\((.*)\)$/
      .exec(r.def)![1]!
      .split(', ')
      .map((c) => c.replace(/ ASC$/, ''));
    if (r.primary) table(r.table).primaryKey = columns;
    else table(r.table).indexes[r.name] = { unique: r.unique, columns };
  }
  const fks = await client.query<{ table: string; name: string; columns: string[]; references: string; referenced: string[]; del: string; upd: string }>(`
    SELECT t.relname AS table, con.conname AS name, f.relname AS references, con.confdeltype AS del, con.confupdtype AS upd,
           ARRAY(SELECT attname FROM unnest(con.conkey) WITH ORDINALITY k(n, o) JOIN pg_attribute ON attrelid = con.conrelid AND attnum = k.n ORDER BY o)::text[] AS columns,
           ARRAY(SELECT attname FROM unnest(con.confkey) WITH ORDINALITY k(n, o) JOIN pg_attribute ON attrelid = con.confrelid AND attnum = k.n ORDER BY o)::text[] AS referenced
    FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid JOIN pg_class f ON f.oid = con.confrelid JOIN pg_namespace n ON n.oid = t.relnamespace
    WHERE con.contype = 'f' AND n.nspname = 'public'`);
  for (const r of fks.rows) {
    table(r.table).foreignKeys[r.name] = {
      columns: r.columns,
      references: r.references,
      referencedColumns: r.referenced,
      onDelete: ACTIONS[r.del]!,
      onUpdate: ACTIONS[r.upd]!,
    };
  }
  return shape;
}

const SCALARS: Record<string, string> = {
  BigInt: 'bigint',
  Int: 'integer',
  Boolean: 'boolean',
  Json: 'jsonb',
  String: 'text',
  DateTime: 'timestamp(3) without time zone',
};
const NATIVE: Record<string, (arg: string | undefined) => string> = {
  Uuid: () => 'uuid',
  VarChar: (n) => `character varying(${n})`,
  Text: () => 'text',
  // PostgreSQL shows the default precision (6) of timestamptz without a number.
  Timestamptz: (n) => (n === undefined || n === '6' ? 'timestamp with time zone' : `timestamp(${n}) with time zone`),
};

/** Splits `a, b(x, y), c` at top-level commas. */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  let quoted = false;
  for (const ch of s) {
    if (ch === '"') quoted = !quoted;
    if (!quoted && (ch === '(' || ch === '[')) depth++;
    if (!quoted && (ch === ')' || ch === ']')) depth--;
    if (ch === ',' && depth === 0 && !quoted) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** `name(args)` occurrences of `@attr` / `@@attr` in a line, with balanced parentheses and quoted strings. */
function attributes(line: string, prefix: '@' | '@@'): { name: string; args: string }[] {
  const out: { name: string; args: string }[] = [];
  const re = prefix === '@' ? /(?<!@)@([A-Za-z.]+)/g : /@@([A-Za-z]+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    let args = '';
    let i = m.index + m[0].length;
    if (line[i] === '(') {
      let depth = 0;
      let quoted = false;
      const start = i + 1;
      for (; i < line.length; i++) {
        const ch = line[i];
        if (ch === '"' && line[i - 1] !== '\\') quoted = !quoted;
        if (quoted) continue;
        if (ch === '(') depth++;
        if (ch === ')' && --depth === 0) break;
      }
      args = line.slice(start, i);
    }
    out.push({ name: m[1]!, args });
  }
  return out;
}

const named = (args: string, key: string): string | undefined => {
  for (const part of splitTop(args)) {
    const m = new RegExp(`^${key}:\\s*(.*)$`, 's').exec(part);
    if (m) return m[1]!.trim();
  }
  return undefined;
};
const list = (s: string): string[] => splitTop(s.replace(/^\[|\]$/g, ''));
const unquote = (s: string): string => JSON.parse(s) as string;
const indexColumn = (c: string): string => {
  const m = /^(\w+)(?:\((.*)\))?$/.exec(c)!;
  return named(m[2] ?? '', 'sort') === 'Desc' ? `${m[1]} DESC` : m[1]!;
};

/** The subset of the Prisma schema language that schema.prisma uses; anything else is an error, not a silent pass. */
export function prismaShape(text: string): SchemaShape {
  const shape: SchemaShape = {};
  const models = [...text.matchAll(/^model (\w+) \{([^}]*)\}/gm)];
  const modelNames = new Set(models.map((m) => m[1]!));
  for (const [, name, body] of models) {
    const t: TableShape = { columns: {}, primaryKey: [], indexes: {}, foreignKeys: {} };
    shape[name!] = t;
    for (const raw of body!.split('\n')) {
      const line = raw.replace(/\/\/.*$/, '').trim();
      if (!line) continue;
      if (line.startsWith('@@')) {
        for (const a of attributes(line, '@@')) {
          const [first = ''] = splitTop(a.args);
          const map = named(a.args, 'map');
          if (a.name === 'id') t.primaryKey = list(first);
          else if (a.name === 'index' || a.name === 'unique') {
            if (!map) throw new Error(`${name}: @@${a.name} needs map: to name its index`);
            t.indexes[unquote(map)] = { unique: a.name === 'unique', columns: list(first).map(indexColumn) };
          } else throw new Error(`${name}: unsupported @@${a.name}`);
        }
        continue;
      }
      const m = /^(\w+)\s+(\w+)(\?|\[\])?\s*(.*)$/.exec(line);
      if (!m) throw new Error(`${name}: cannot read '${line}'`);
      const [, field, type, modifier, rest] = m as unknown as [string, string, string, string | undefined, string];
      const attrs = attributes(rest, '@');
      if (modelNames.has(type)) {
        const rel = attrs.find((a) => a.name === 'relation');
        if (!rel || modifier === '[]' || !named(rel.args, 'fields')) continue; // the other side of a relation: no column
        const columns = list(named(rel.args, 'fields')!);
        const onDelete = named(rel.args, 'onDelete');
        const onUpdate = named(rel.args, 'onUpdate');
        if (!onDelete || !onUpdate) throw new Error(`${name}.${field}: give onDelete and onUpdate explicitly`);
        const map = named(rel.args, 'map');
        t.foreignKeys[map ? unquote(map) : `${name}_${columns.join('_')}_fkey`] = {
          columns,
          references: type,
          referencedColumns: list(named(rel.args, 'references')!),
          onDelete,
          onUpdate,
        };
        continue;
      }
      const db = attrs.find((a) => a.name.startsWith('db.'));
      const sqlType = db ? NATIVE[db.name.slice(3)]?.(db.args || undefined) : SCALARS[type];
      if (!sqlType) throw new Error(`${name}.${field}: unsupported type ${type} ${db?.name ?? ''}`);
      const def = attrs.find((a) => a.name === 'default')?.args ?? null;
      const generated = def && /^dbgenerated\((".*")\)$/.exec(def);
      t.columns[field] = {
        type: sqlType,
        nullable: modifier === '?',
        default: generated ? `generated:${unquote(generated[1]!)}` : def,
      };
      if (attrs.some((a) => a.name === 'id')) t.primaryKey = [field];
      const unique = attrs.find((a) => a.name === 'unique');
      if (unique) {
        const map = named(unique.args, 'map');
        if (!map) throw new Error(`${name}.${field}: @unique needs map: to name its index`);
        t.indexes[unquote(map)] = { unique: true, columns: [field] };
      }
    }
  }
  return shape;
}
