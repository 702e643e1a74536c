import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { isLoopbackHost } from './net/loopback.js';

/** The repository root: `.lab/` and `migrations/` live here whatever the current directory is. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const EnvSchema = z.object({
  PORT: int(0, 65535).default(8080),
  LAB_HOST: z.string().min(1).default('127.0.0.1'),
  LAB_TOKEN: z
    .string()
    .min(16, 'LAB_TOKEN must be at least 16 characters')
    .regex(/^[\w.~-]+$/, 'LAB_TOKEN may hold letters, digits and . _ ~ - only')
    .optional(),
  LAB_ALLOWED_HOSTS: z.string().optional(),
  LAB_CONSOLE_STATEMENT_TIMEOUT_MS: int(100, 600_000).default(10_000),
  LAB_SHARD_COUNT: int(1, 16).default(5),
  LAB_SHARD_BASE_PORT: int(1024, 65000).default(5440),
  LAB_DATA_DIR: z.string().min(1).optional(),
  LAB_INITDB_TEMPLATE: z.string().min(1).optional(),
  LAB_SHARDS: z.string().optional(),
  LAB_SHARDS_FILE: z.string().min(1).optional(),
  LAB_CATALOG_PORT: int(1024, 65535).optional(),
  LAB_CATALOG_URL: z.string().optional(),
  LAB_POOL_MAX: int(1, 500).default(20),
  LAB_POOL_IDLE_TIMEOUT_MS: int(0, 3_600_000).default(30_000),
  LAB_CONNECT_TIMEOUT_MS: int(100, 60_000).default(3_000),
  LAB_STATEMENT_TIMEOUT_MS: int(0, 3_600_000).default(15_000),
  LAB_HEALTH_INTERVAL_MS: int(100, 60_000).default(1_000),
  LAB_STRATEGY: z.enum(['md5-ring', 'modulo']).default('md5-ring'),
  LAB_VNODES: int(1, 10_000).default(150),
  LAB_MIGRATE_ON_START: z.enum(['true', 'false']).default('true'),
  LAB_MIGRATIONS_DIR: z.string().min(1).optional(),
  LAB_CHAPTERS_DIR: z.string().min(1).optional(),
  LAB_DATA_LAYER: z.enum(['prisma', 'pg']).default('pg'),
  LAB_REPLICAS: z.enum(['0', '1']).default('0'),
  LAB_REPLICA_BASE_PORT: int(1024, 65535).optional(),
  LAB_READ_POLICY: z.enum(['primary', 'replica', 'read-your-writes']).default('primary'),
  LAB_PREPARED_STATEMENTS: z.enum(['true', 'false']).default('true'),
  LAB_WORKERS: int(0, 64).default(0),
});

export interface LabConfig {
  port: number;
  host: string;
  /** Required from clients beyond loopback; generated when the lab binds beyond loopback and LAB_TOKEN is unset. */
  token: string | null;
  /** Host names besides loopback and LAB_HOST that the lab answers to (LAB_ALLOWED_HOSTS). */
  allowedHosts: string[];
  /** The lab cancels a console statement (terminal, SQL viewer) that runs longer than this. */
  consoleStatementTimeoutMs: number;
  shardCount: number;
  shardBasePort: number;
  dataDir: string;
  /** Where new embedded servers copy their data directory from instead of running initdb (LAB_INITDB_TEMPLATE). */
  initdbTemplate: string;
  /** Connection URLs of existing servers; when set the lab starts no PostgreSQL itself. */
  externalShards: string[] | null;
  /** Beside each external shard (same order): its streaming replica and a PgBouncer in front of it, given by URL. */
  externalPeers: ExternalPeers[];
  /** The lab's own database: an embedded server on catalogPort unless catalogUrl names one. */
  catalogPort: number;
  catalogUrl: string | null;
  pool: { max: number; idleTimeoutMs: number; connectTimeoutMs: number; statementTimeoutMs: number };
  healthIntervalMs: number;
  strategy: 'md5-ring' | 'modulo';
  vnodes: number;
  migrateOnStart: boolean;
  dataLayer: 'prisma' | 'pg';
  readPolicy: 'primary' | 'replica' | 'read-your-writes';
  /** Whether the API names its hot statements at start; off for PgBouncers in transaction mode before 1.21 (LAB_PREPARED_STATEMENTS). */
  preparedStatements: boolean;
  /** Start a streaming replica for every shard (embedded mode). */
  replicas: boolean;
  replicaBasePort: number;
  migrationsDir: string;
  /** Prefork: processes serving /api/v1 besides the primary (0: the primary serves everything). */
  workers: number;
  /** Chapter files (Markdown + front matter) and paths.yaml. */
  chaptersDir: string;
}

/** What LAB_SHARDS (or LAB_SHARDS_FILE) may name beside a shard's primary. */
export interface ExternalPeers {
  /** A streaming replica of the primary: reads go to it under the read policy. */
  replica: string | null;
  /** A PgBouncer in front of the primary: the API's queries go through it. */
  pgbouncer: string | null;
}

export class ConfigError extends Error {}

const isPgUrl = (url: string) => /^postgres(ql)?:\/\//.test(url);

const ShardsFile = z.strictObject({
  shards: z
    .array(
      z.strictObject({
        url: z.string().refine(isPgUrl, 'url must be a postgres:// connection URL'),
        replica: z.string().refine(isPgUrl, 'replica must be a postgres:// connection URL').optional(),
        pgbouncer: z.string().refine(isPgUrl, 'pgbouncer must be a postgres:// connection URL').optional(),
      }),
    )
    .min(1, 'shards must name at least one server'),
});

/**
 * The external servers: LAB_SHARDS_FILE (JSON: `{"shards": [{"url", "replica"?, "pgbouncer"?}]}`) or LAB_SHARDS, a comma-separated
 * list of `PRIMARY_URL[|replica=URL][|pgbouncer=URL]`; null when neither is set (the lab runs its own servers).
 */
function externalServers(list: string | undefined, file: string | undefined): { url: string; peers: ExternalPeers }[] | null {
  if (file) {
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      throw new ConfigError(`LAB_SHARDS_FILE: cannot read ${file} as JSON: ${(err as Error).message}`);
    }
    const parsed = ShardsFile.safeParse(json);
    if (!parsed.success) throw new ConfigError(`LAB_SHARDS_FILE ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    return parsed.data.shards.map((s) => ({ url: s.url, peers: { replica: s.replica ?? null, pgbouncer: s.pgbouncer ?? null } }));
  }
  if (!list?.trim()) return null;
  return list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const [url = '', ...extra] = entry.split('|').map((p) => p.trim());
      if (!isPgUrl(url)) throw new ConfigError(`LAB_SHARDS: '${url}' is not a postgres:// connection URL`);
      const peers: ExternalPeers = { replica: null, pgbouncer: null };
      for (const part of extra) {
        const m = /^(replica|pgbouncer)=(.+)$/.exec(part);
        if (!m || !isPgUrl(m[2]!)) {
          throw new ConfigError(`LAB_SHARDS: '${part}' after '${url}' must be replica=postgres://… or pgbouncer=postgres://…`);
        }
        peers[m[1] as keyof ExternalPeers] = m[2]!;
      }
      return { url, peers };
    });
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): LabConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const servers = externalServers(e.LAB_SHARDS, e.LAB_SHARDS_FILE);
  const external = servers ? servers.map((s) => s.url) : null;
  const dataDir = e.LAB_DATA_DIR ? path.resolve(e.LAB_DATA_DIR) : path.join(REPO_ROOT, '.lab');
  return {
    port: e.PORT,
    host: e.LAB_HOST,
    token: e.LAB_TOKEN ?? (isLoopbackHost(e.LAB_HOST) ? null : randomBytes(24).toString('base64url')),
    allowedHosts: (e.LAB_ALLOWED_HOSTS ?? '')
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean),
    consoleStatementTimeoutMs: e.LAB_CONSOLE_STATEMENT_TIMEOUT_MS,
    shardCount: external ? external.length : e.LAB_SHARD_COUNT,
    shardBasePort: e.LAB_SHARD_BASE_PORT,
    dataDir,
    initdbTemplate: e.LAB_INITDB_TEMPLATE ? path.resolve(e.LAB_INITDB_TEMPLATE) : path.join(dataDir, 'initdb-template'),
    externalShards: external,
    externalPeers: servers ? servers.map((s) => s.peers) : [],
    catalogPort: e.LAB_CATALOG_PORT ?? e.LAB_SHARD_BASE_PORT - 1,
    catalogUrl: e.LAB_CATALOG_URL?.trim() || null,
    pool: {
      max: e.LAB_POOL_MAX,
      idleTimeoutMs: e.LAB_POOL_IDLE_TIMEOUT_MS,
      connectTimeoutMs: e.LAB_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: e.LAB_STATEMENT_TIMEOUT_MS,
    },
    healthIntervalMs: e.LAB_HEALTH_INTERVAL_MS,
    strategy: e.LAB_STRATEGY,
    vnodes: e.LAB_VNODES,
    migrateOnStart: e.LAB_MIGRATE_ON_START === 'true',
    dataLayer: e.LAB_DATA_LAYER,
    readPolicy: e.LAB_READ_POLICY,
    preparedStatements: e.LAB_PREPARED_STATEMENTS === 'true',
    replicas: e.LAB_REPLICAS === '1',
    replicaBasePort: e.LAB_REPLICA_BASE_PORT ?? e.LAB_SHARD_BASE_PORT + 10,
    migrationsDir: e.LAB_MIGRATIONS_DIR ? path.resolve(e.LAB_MIGRATIONS_DIR) : path.join(REPO_ROOT, 'migrations'),
    workers: e.LAB_WORKERS,
    chaptersDir: e.LAB_CHAPTERS_DIR ? path.resolve(e.LAB_CHAPTERS_DIR) : path.join(REPO_ROOT, 'chapters'),
  };
}
