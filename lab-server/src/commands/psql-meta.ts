/** psql-like backslash commands shared by `make db-shell` and the browser terminal's SQL mode. */
export const LIST_TABLES_SQL = `SELECT table_name AS name,
  (SELECT count(*) FROM information_schema.columns c WHERE c.table_name = t.table_name AND c.table_schema = 'public') AS columns
  FROM information_schema.tables t WHERE table_schema = 'public' ORDER BY 1`;

/** Columns of one table; `literal` is the table name already quoted as an SQL literal. */
export const describeTableSql = (literal: string): string =>
  `SELECT column_name AS column, data_type AS type, is_nullable AS nullable, column_default AS "default"
   FROM information_schema.columns WHERE table_schema = 'public' AND table_name = ${literal} ORDER BY ordinal_position`;

export const SQL_MODE_HELP = `Type SQL ending with ';' to run it on this shard. Commands:
  \\dt         list tables        \\d NAME     describe a table
  \\?          this help          \\q          quit`;
