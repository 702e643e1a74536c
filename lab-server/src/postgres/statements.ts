import type pg from 'pg';

/**
 * The tuning chapter's prepared-statements knob. On, a hot statement has a name, so each connection parses
 * and plans it once and then only binds values; off, it is sent unnamed and parsed and planned on every call
 * (what the original's shard pools did: GORM with PrepareStmt false over pgx's simple protocol). Per process,
 * like the data layer: every prefork worker sets its own from the settings the primary syncs.
 */
let prepared = true;

export function usePreparedStatements(on: boolean): void {
  prepared = on;
}

/** A query config, named while prepared statements are on. */
export function statement(name: string, text: string, values: unknown[] = []): pg.QueryConfig {
  return prepared ? { name, text, values } : { text, values };
}
