import fsp from 'node:fs/promises';
import path from 'node:path';

/**
 * A migration file: `<numeric prefix>_<name>.sql`, e.g. `1764000000000_accounts.sql` (13-digit ms timestamp).
 * Other files in the directory (README.md, dotfiles, ...) are not migrations and are ignored.
 */
const MIGRATION_FILE = /^\d+_[A-Za-z0-9_-]+\.sql$/;

/**
 * node-pg-migrate's `ignorePattern` (matched as `^(...)$` against each file name) that keeps exactly the files
 * `listMigrationFiles` accepts: dotfiles and anything not ending in `.sql` are skipped. `.sql` files with
 * badly formed names are rejected by `listMigrationFiles` before the runner ever sees them.
 */
export const RUNNER_IGNORE_PATTERN = String.raw`(?:\..*|(?!.*\.sql$).*)`;

export interface MigrationFile {
  /** File name without `.sql`: the name recorded in the tracking table. */
  name: string;
  path: string;
}

/** The numeric prefix as node-pg-migrate reads it: 17 digits are a UTC date (yyyymmddhhmmssSSS), else a number. */
function numericPrefix(fileName: string): number {
  const digits = /^\d+/.exec(fileName)?.[0] ?? '';
  if (digits.length === 17) {
    const d = digits;
    return Date.parse(`${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T${d.slice(8, 10)}:${d.slice(10, 12)}:${d.slice(12, 14)}.${d.slice(14)}Z`);
  }
  return Number(digits);
}

/** node-pg-migrate's order (`compareMigrationFileNames`): numeric prefix, then a numeric-aware name compare. */
function compareFileNames(a: string, b: string): number {
  return (
    numericPrefix(a) - numericPrefix(b) || a.localeCompare(b, undefined, { usage: 'sort', numeric: true, sensitivity: 'variant', ignorePunctuation: true })
  );
}

/** The migration files of `dir` in the order they apply. Throws if `dir` is unreadable or a `.sql` name is malformed. */
export async function listMigrationFiles(dir: string): Promise<MigrationFile[]> {
  const entries = await fsp.readdir(dir, { withFileTypes: true });
  const names: string[] = [];
  for (const e of entries) {
    if (!(e.isFile() || e.isSymbolicLink()) || e.name.startsWith('.') || !e.name.endsWith('.sql')) continue;
    if (!MIGRATION_FILE.test(e.name)) {
      throw new Error(`${path.join(dir, e.name)} is not a valid migration file name (expected <digits>_<name>.sql, name of [A-Za-z0-9_-])`);
    }
    names.push(e.name);
  }
  return names.sort(compareFileNames).map((f) => ({ name: f.slice(0, -'.sql'.length), path: path.resolve(dir, f) }));
}

/** Migration names (file names without extension) in the order they apply. */
export async function listMigrations(dir: string): Promise<string[]> {
  return (await listMigrationFiles(dir)).map((f) => f.name);
}

/** As the original project: lower-case, trim, each whitespace character to `_`, drop anything outside `[a-z0-9_]`. */
export function sanitizeMigrationName(name: string): string {
  return name
    .toLowerCase()
    .trim()
    .replace(/\s/g, '_')
    .replace(/[^a-z0-9_]/g, '');
}

const TEMPLATE = `-- Up Migration
-- Forward change. It runs in one transaction together with the tracking-table row, so a failure
-- leaves nothing behind. Statements that refuse transactions (CREATE INDEX CONCURRENTLY, ...)
-- need "-- lab:no-transaction" as the very first line of this file.


-- Down Migration
-- Undo exactly what the Up section did.

`;

/** Creates `<dir>/<13-digit ms timestamp>_<sanitised name>.sql` with both sections; returns its path. */
export async function makeMigration(dir: string, name: string): Promise<string> {
  const clean = sanitizeMigrationName(name);
  // The original rejected an empty result; a name of underscores only says nothing either.
  if (!/[a-z0-9]/.test(clean)) throw new Error(`invalid migration name ${JSON.stringify(name)}: no letter or digit left after keeping only [a-z0-9_]`);
  await fsp.mkdir(dir, { recursive: true });
  // Always sort after the existing files, even if the clock is behind the newest one.
  const existing = await listMigrationFiles(dir);
  const last = existing.at(-1);
  const stamp = Math.max(Date.now(), last ? numericPrefix(last.name) + 1 : 0);
  const file = path.join(dir, `${String(stamp).padStart(13, '0')}_${clean}.sql`);
  await fsp.writeFile(file, TEMPLATE, { flag: 'wx' });
  return file;
}
