// Schema migrations over every shard: node-pg-migrate does the per-shard bookkeeping (tracking table
// `lab_migrations`, order, one transaction per migration, advisory lock); this module runs it on all shards.
export { listMigrationFiles, listMigrations, makeMigration, sanitizeMigrationName } from './files.js';
export { migrate, MigrationError, throwIfFailed } from './orchestrate.js';
export { migrationStatus } from './status.js';
export { migrateShard, migrationClient, pgErrorText } from './runner.js';
export { parseSqlMigration } from './sql-file.js';
export { NO_TRANSACTION_DIRECTIVE } from './sql-file.js';
export { MIGRATIONS_TABLE } from './types.js';
export type {
  AppliedMigration,
  MigrateAction,
  MigrateOptions,
  MigrateProgressEvent,
  MigrateReport,
  MigrationSet,
  MigrationTarget,
  ShardMigrationResult,
  ShardMigrationStatus,
} from './types.js';
