import { describe, expect, it } from 'vitest';
import { parseSqlMigration, splitStatements } from './sql-file.js';

describe('parseSqlMigration', () => {
  const samples = [
    '-- Up Migration\nCREATE TABLE a (id int);\n\n-- Down Migration\nDROP TABLE a;\n',
    '-- lab:no-transaction\n-- preamble\n--  up  migration\nSELECT 1;\n-- DOWN MIGRATION\nSELECT 2;',
    '-- Down Migration\nSELECT 2;\n-- Up Migration\nSELECT 1;\n',
    'SELECT 1;\n',
  ];

  it('cuts the sections exactly as node-pg-migrate does', async () => {
    // The deep import is node-pg-migrate's own SQL-file parser (not exported from its main entry).
    const { getActions } = await import('node-pg-migrate/sqlMigration');
    const capture = (action: unknown) => {
      if (typeof action !== 'function') return null;
      let sql = '';
      (action as (pgm: unknown) => void)({
        sql: (s: string) => {
          sql = s;
        },
      });
      return sql;
    };
    for (const content of samples) {
      const theirs = getActions(content);
      const ours = parseSqlMigration(content);
      expect(ours.up).toBe(capture(theirs.up));
      expect(ours.down).toBe(capture(theirs.down));
    }
  });

  it('reads the no-transaction directive from the first line only', () => {
    expect(parseSqlMigration(samples[0]!).transaction).toBe(true);
    expect(parseSqlMigration(samples[1]!).transaction).toBe(false);
    expect(parseSqlMigration('  -- LAB:No-Transaction  \r\nSELECT 1;').transaction).toBe(false);
    expect(parseSqlMigration('-- Up Migration\n-- lab:no-transaction\nSELECT 1;\n').transaction).toBe(true);
    expect(parseSqlMigration('SELECT 1;').down).toBeNull();
  });
});

describe('splitStatements', () => {
  it('splits at top-level semicolons only', () => {
    const sql = [
      '-- a comment; with a semicolon',
      "INSERT INTO t VALUES ('a;b', 'it''s;');",
      "SELECT E'\\';' AS x;",
      'SELECT "we;ird" FROM t /* c; /* nested; */ still; */;',
      'CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;',
      'DO $$ BEGIN PERFORM 1; END $$;',
      '-- only a comment;',
      '  ;  ',
      'SELECT 2',
    ].join('\n');
    expect(splitStatements(sql)).toEqual([
      "-- a comment; with a semicolon\nINSERT INTO t VALUES ('a;b', 'it''s;')",
      "SELECT E'\\';' AS x",
      'SELECT "we;ird" FROM t /* c; /* nested; */ still; */',
      'CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql',
      'DO $$ BEGIN PERFORM 1; END $$',
      'SELECT 2',
    ]);
  });

  it('drops pieces that hold only comments', () => {
    expect(splitStatements('-- Down Migration\n-- nothing to do\n')).toEqual([]);
  });
});
