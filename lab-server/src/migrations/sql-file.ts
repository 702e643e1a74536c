/**
 * Reading one SQL migration file.
 *
 * Why our own loader: node-pg-migrate 9's SQL loaders (`legacySql`, `sql`) always run a file inside a
 * transaction and send each section as ONE query string; they have no way for a .sql file to say
 * "not in a transaction" (only JS/TS migrations can call `pgm.noTransaction()`). PostgreSQL refuses
 * CREATE INDEX CONCURRENTLY both inside a transaction and inside a multi-statement query string, so a
 * file whose first line is `-- lab:no-transaction` is run outside a transaction, one statement per query.
 * Everything else (sections, tracking, ordering, locking) stays node-pg-migrate's.
 */

export const NO_TRANSACTION_DIRECTIVE = '-- lab:no-transaction';

export interface ParsedSqlMigration {
  up: string;
  /** null when the file has no Down section (rolling it back is then refused). */
  down: string | null;
  transaction: boolean;
}

/** Same rule as node-pg-migrate's sqlMigration.ts: a line `-- Up Migration` / `-- Down Migration` starts a section. */
const sectionMarker = (direction: 'up' | 'down') => new RegExp(String.raw`^\s*--[\s-]*${direction}\s+migration`, 'im');

export function parseSqlMigration(content: string): ParsedSqlMigration {
  const upStart = content.search(sectionMarker('up'));
  const downStart = content.search(sectionMarker('down'));
  const up = upStart >= 0 ? content.slice(upStart, downStart < upStart ? undefined : downStart) : content;
  const down = downStart >= 0 ? content.slice(downStart, upStart < downStart ? undefined : upStart) : null;
  const firstLine = content.split(/\r?\n/, 1)[0] ?? '';
  return { up, down, transaction: firstLine.trim().toLowerCase() !== NO_TRANSACTION_DIRECTIVE };
}

/**
 * Splits SQL text into statements at top-level semicolons, skipping those inside quotes, quoted identifiers,
 * dollar-quoted bodies and comments. Pieces that hold only comments/whitespace are dropped.
 */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let start = 0;
  let hasCode = false;
  let i = 0;
  const n = sql.length;
  const push = (end: number) => {
    if (hasCode) out.push(sql.slice(start, end).trim());
    start = end + 1;
    hasCode = false;
  };
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      const eol = sql.indexOf('\n', i);
      i = eol < 0 ? n : eol + 1;
    } else if (c === '/' && next === '*') {
      let depth = 1; // PostgreSQL block comments nest
      i += 2;
      while (i < n && depth > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') {
          depth++;
          i += 2;
        } else if (sql[i] === '*' && sql[i + 1] === '/') {
          depth--;
          i += 2;
        } else i++;
      }
    } else if (c === "'" || c === '"') {
      // E'...' strings allow backslash escapes; otherwise a doubled quote is the only escape.
      const backslashes = c === "'" && /[eE]/.test(sql[i - 1] ?? '') && !/[A-Za-z0-9_$]/.test(sql[i - 2] ?? '');
      hasCode = true;
      i++;
      while (i < n) {
        if (backslashes && sql[i] === '\\') i += 2;
        else if (sql[i] === c && sql[i + 1] === c) i += 2;
        else if (sql[i] === c) {
          i++;
          break;
        } else i++;
      }
    } else if (c === '$' && !/[A-Za-z0-9_]/.test(sql[i - 1] ?? '')) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i))?.[0];
      hasCode = true;
      if (tag) {
        const close = sql.indexOf(tag, i + tag.length);
        i = close < 0 ? n : close + tag.length;
      } else i++;
    } else if (c === ';') {
      push(i);
      i++;
    } else {
      if (!/\s/.test(c)) hasCode = true;
      i++;
    }
  }
  push(n);
  return out;
}
