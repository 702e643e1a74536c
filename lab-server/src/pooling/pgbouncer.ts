import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../net/free-port.js';
import { postgresRunAs } from '../cluster/system-user.js';

export type PoolMode = 'session' | 'transaction';

/** Debian puts it in /usr/sbin, which a normal user's PATH often lacks. */
const EXTRA_DIRS = ['/usr/sbin', '/usr/local/sbin'];

/** The `pgbouncer` binary: on the PATH, else where Debian's package puts it; null when it is not installed. */
export function findPgBouncer(pathVar = process.env.PATH ?? ''): string | null {
  for (const dir of [...pathVar.split(path.delimiter).filter(Boolean), ...EXTRA_DIRS]) {
    const file = path.join(dir, 'pgbouncer');
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return null;
}

export interface BouncerSpec {
  name: string;
  dir: string;
  /** The server behind it. */
  server: { host: string; port: number; database: string; user: string; password: string };
  mode: PoolMode;
  /** Server connections per user and database pair (PgBouncer's default_pool_size). */
  poolSize: number;
  maxClientConn: number;
  /** The API pools' statement timeout (0: none), set on every server connection PgBouncer opens. */
  statementTimeoutMs: number;
}

/** What the lab reads and uses of a PgBouncer: its own (`PgBouncer`) or one LAB_SHARDS names (`GivenBouncer`). */
export interface Bouncer {
  readonly port: number;
  readonly pid: number | null;
  /** The database behind it, as its clients name it. */
  readonly database: string;
  url(database?: string): string;
  admin(command: string): Promise<Record<string, string>[]>;
  stop(): Promise<void>;
}

/** A query on a PgBouncer's admin console (the database `pgbouncer`), rows as PgBouncer prints them. */
export async function adminQuery(url: string, command: string): Promise<Record<string, string>[]> {
  const u = new URL(url);
  u.pathname = '/pgbouncer';
  // The admin console speaks only the simple query protocol.
  const c = new pg.Client({ connectionString: u.toString() });
  await c.connect();
  try {
    return (await c.query<Record<string, string>>(command)).rows;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/**
 * A PgBouncer the lab does not run (LAB_SHARDS `…|pgbouncer=URL`): the API's queries to the shard go through it and
 * its pools are read from its admin console (the URL's user must be in its admin_users or stats_users); the lab
 * never starts or stops it.
 */
export class GivenBouncer implements Bouncer {
  readonly pid = null;
  readonly port: number;
  readonly database: string;

  constructor(private readonly given: string) {
    const u = new URL(given);
    this.port = Number(u.port || 6432);
    this.database = decodeURIComponent(u.pathname.slice(1));
  }

  url(database = this.database): string {
    const u = new URL(this.given);
    u.pathname = `/${encodeURIComponent(database)}`;
    return u.toString();
  }

  admin(command: string): Promise<Record<string, string>[]> {
    return adminQuery(this.given, command);
  }

  /** Its pool_mode, from SHOW CONFIG. */
  async mode(): Promise<string> {
    return (await this.admin('SHOW CONFIG')).find((r) => r.key === 'pool_mode')?.value ?? 'session';
  }

  async stop(): Promise<void> {
    // Not the lab's to stop.
  }
}

/** The database the demonstrations use: its own small pool, so the API's traffic never changes which server connection they get. */
export const DEMO_DATABASE = 'pooling_demo';

/**
 * One PgBouncer process in front of one shard, run by this lab and stopped by its own pid. Its clients reach the
 * shard's database under the same name; the admin console (`SHOW POOLS`) is the database `pgbouncer`.
 */
export class PgBouncer implements Bouncer {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  port = 0;

  constructor(
    readonly binary: string,
    readonly spec: BouncerSpec,
  ) {}

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  get database(): string {
    return this.spec.server.database;
  }

  url(database = this.spec.server.database): string {
    const { user, password } = this.spec.server;
    return `postgres://${user}:${password}@127.0.0.1:${this.port}/${database}`;
  }

  get logFile(): string {
    return path.join(this.spec.dir, 'pgbouncer.log');
  }

  async start(): Promise<void> {
    const { dir, server, mode, poolSize, maxClientConn, statementTimeoutMs } = this.spec;
    this.port = await freePort();
    await fsp.rm(dir, { recursive: true, force: true });
    await fsp.mkdir(dir, { recursive: true });
    const ini = path.join(dir, 'pgbouncer.ini');
    // A client's startup settings cannot follow it onto shared server connections, so the bounds the API's pools
    // ask for at connect are set on each server connection instead: the timeout stays in force through PgBouncer.
    const target = `host=${server.host} port=${server.port} dbname=${server.database} timezone=UTC connect_query='SET statement_timeout = ${statementTimeoutMs}'`;
    await fsp.writeFile(path.join(dir, 'userlist.txt'), `"${server.user}" "${server.password}"\n`, { mode: 0o600 });
    await fsp.writeFile(
      ini,
      [
        '; written by Shard Lab; rewritten at every start',
        '[databases]',
        `${server.database} = ${target}`,
        `${DEMO_DATABASE} = ${target} pool_size=2`,
        '[pgbouncer]',
        'listen_addr = 127.0.0.1',
        `listen_port = ${this.port}`,
        'unix_socket_dir =',
        'auth_type = md5',
        `auth_file = ${path.join(dir, 'userlist.txt')}`,
        `admin_users = ${server.user}`,
        `pool_mode = ${mode}`,
        `default_pool_size = ${poolSize}`,
        `max_client_conn = ${maxClientConn}`,
        // The lab's pools send these at connect; PgBouncer cannot carry per-client startup settings to shared server
        // connections (it would refuse the client), so it ignores them and sets TimeZone and the timeout per server connection.
        'ignore_startup_parameters = options,statement_timeout,idle_in_transaction_session_timeout,extra_float_digits',
        `logfile = ${this.logFile}`,
        '',
      ].join('\n'),
    );
    // PgBouncer, like PostgreSQL, will not run as root: then it runs as the same system user as the servers.
    const runAs = await postgresRunAs();
    if (runAs) {
      for (const f of [dir, ini, path.join(dir, 'userlist.txt')]) await fsp.chown(f, runAs.uid, runAs.gid);
    }
    const child = spawn(this.binary, [...(runAs ? ['-u', 'postgres'] : []), ini], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        this.child = null;
        throw new Error(`${this.spec.name}: pgbouncer exited at start (${stderr.trim() || `see ${this.logFile}`}).`);
      }
      if (await this.answers()) return;
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(`${this.spec.name}: pgbouncer did not accept connections within 10 s; see ${this.logFile}.`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private async answers(): Promise<boolean> {
    const c = new pg.Client({ connectionString: this.url('pgbouncer') });
    try {
      await c.connect();
      return true;
    } catch {
      return false;
    } finally {
      await c.end().catch(() => undefined);
    }
  }

  /** Stops it by its own pid: SIGTERM (PgBouncer's immediate shutdown), SIGKILL if it lingers. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child?.pid) return;
    this.child = null;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await this.exited;
    clearTimeout(timer);
  }

  /** A query on the admin console (`SHOW POOLS`, `SHOW STATS`), rows as PgBouncer prints them. */
  admin(command: string): Promise<Record<string, string>[]> {
    return adminQuery(this.url(), command);
  }
}

/** The binary and its version (`PgBouncer 1.18.0`), looked up once when the lab starts; nulls when it is not installed. */
export function detectPgBouncer(): { binary: string | null; version: string | null } {
  const binary = findPgBouncer();
  if (!binary) return { binary: null, version: null };
  try {
    const out = execFileSync(binary, ['--version'], { encoding: 'utf8', timeout: 5_000 });
    return { binary, version: /PgBouncer\s+(\S+)/.exec(out)?.[1] ?? null };
  } catch {
    return { binary, version: null };
  }
}
