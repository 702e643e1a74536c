import type { Cluster } from '../../cluster/cluster.js';
import { NotFoundError, UnavailableError } from '../../domain/errors.js';
import type { Router } from '../../sharding/router.js';
import { locate } from '../locate.js';
import type { Located } from '../users/service.js';
import { APP_VERSIONS, type AppVersion, type CreateNote, type Note } from './schemas.js';

/** Where the notes live: the Migrations chapter's drill schema, so its migrations decide which columns exist. */
const TABLE = 'lab_drill.notes';
/** undefined_table, undefined_column: the shard's schema is behind what this app version needs. */
const SCHEMA_BEHIND = new Set(['42P01', '42703']);

/**
 * A user's notes: the feature a new app version brings, built on the drill migrations (0001 table, 0002
 * `priority`, 0004 `tags`). On a shard whose drill migrations lag, its requests fail, for that shard's users only.
 */
export class NotesService {
  constructor(
    private readonly cluster: Pick<Cluster, 'shard' | 'pools'>,
    private readonly router: () => Router,
  ) {}

  async create(rawUser: string, input: CreateNote, version: AppVersion): Promise<Located<Note>> {
    const { id, shard } = locate(this.router(), rawUser, 'user');
    const cols = APP_VERSIONS[version].writes;
    // Every written name column gets the same text: the dual write of versions 2 and 3.
    const sql = `INSERT INTO ${TABLE} (user_id, ${cols.join(', ')}, priority, tags)
      SELECT $1, ${cols.map(() => '$2').join(', ')}, $3, $4 WHERE EXISTS (SELECT 1 FROM users WHERE id = $1)
      RETURNING id, user_id, ${APP_VERSIONS[version].reads} AS body, priority, tags, created_at`;
    const rows = await this.query<Note>(shard, sql, [id, input.body, input.priority, input.tags], version);
    const note = rows[0];
    if (!note) throw new NotFoundError(`No user ${id}.`, { id });
    return { value: note, shard: this.cluster.shard(shard).name };
  }

  async list(rawUser: string, version: AppVersion): Promise<Located<Note[]>> {
    const { id, shard } = locate(this.router(), rawUser, 'user');
    const sql = `SELECT id, user_id, ${APP_VERSIONS[version].reads} AS body, priority, tags, created_at FROM ${TABLE} WHERE user_id = $1 ORDER BY id DESC LIMIT 20`;
    return { value: await this.query<Note>(shard, sql, [id], version), shard: this.cluster.shard(shard).name };
  }

  private async query<T>(shard: number, sql: string, params: unknown[], version: AppVersion): Promise<T[]> {
    try {
      return await this.cluster.pools.onShard(shard, async (pool) => (await pool.query(sql, params)).rows as T[]);
    } catch (e) {
      const err = e as { code?: string; message?: string };
      if (err.code && SCHEMA_BEHIND.has(err.code)) {
        const name = this.cluster.shard(shard).name;
        throw new UnavailableError(
          'schema_behind',
          `${name}: ${err.message}: the schema on ${name} does not match what app version ${version} needs (its migrations lag, or a change removed what this version uses).`,
          { shard: name, app_version: version },
        );
      }
      throw e;
    }
  }
}
