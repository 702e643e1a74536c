import fsp from 'node:fs/promises';
import path from 'node:path';
import type { MigrationBuilder, RunnerOption } from 'node-pg-migrate';
import { parseSqlMigration, splitStatements } from './sql-file.js';

// node-pg-migrate's main entry exports RunnerOption but not its loader types; derive them.
type LoaderStrategy = NonNullable<RunnerOption['migrationLoaderStrategies']>[number];
export type MigrationLoader = Exclude<LoaderStrategy['loader'], string>;

/**
 * Called by node-pg-migrate right before it sends a migration's SQL (our action builds the SQL, then
 * node-pg-migrate runs it). May throw to stop the run before that migration (used for abort).
 */
export type BeforeMigrationHook = (name: string, transaction: boolean) => void;

/**
 * The loader we give node-pg-migrate for `.sql` files (see sql-file.ts for why it is ours). A normal file
 * behaves exactly like node-pg-migrate's legacy SQL loader: each section is one `pgm.sql()` that it wraps in
 * BEGIN ... tracking-row ... COMMIT. A `-- lab:no-transaction` file calls `pgm.noTransaction()` and sends one
 * statement per query.
 */
export function labSqlLoader(beforeMigration: BeforeMigrationHook): MigrationLoader {
  return async (filePaths) =>
    Promise.all(
      filePaths.map(async (filePath) => {
        const parsed = parseSqlMigration(await fsp.readFile(filePath, 'utf8'));
        const name = path.basename(filePath, '.sql');
        const action = (sql: string) => (pgm: MigrationBuilder) => {
          beforeMigration(name, parsed.transaction);
          if (parsed.transaction) {
            pgm.sql(sql);
            return;
          }
          pgm.noTransaction();
          for (const statement of splitStatements(sql)) pgm.sql(statement);
        };
        return {
          // node-pg-migrate derives the migration's name from this path (basename without extension).
          id: filePath,
          filePaths: [filePath],
          actions: { up: action(parsed.up), down: parsed.down === null ? false : action(parsed.down) },
        };
      }),
    );
}
