import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { postgresBinaries } from './binaries.js';
import { ClusterError } from './errors.js';
import { copyTemplate, initdbTemplate } from './initdb-template.js';
import { postgresRunAs, type RunAs } from './system-user.js';

export const PG_USER = 'postgres';
export const PG_PASSWORD = 'postgres';
export const PG_DATABASE = 'messenger';

export interface EmbeddedServerSpec {
  name: string;
  dataDir: string;
  port: number;
  /** Extra `-c name=value` settings on top of the lab's defaults. */
  settings?: Record<string, string>;
  /** Where an initialised data directory is kept to copy instead of running initdb (see `initdb-template.ts`). */
  initTemplate?: string;
}

export type ServerState = 'stopped' | 'starting' | 'running' | 'stopping';

/** Settings every lab server runs with: loopback only, and ready for logical replication (resharding). */
export const DEFAULT_SETTINGS: Readonly<Record<string, string>> = {
  listen_addresses: '127.0.0.1',
  unix_socket_directories: '',
  max_connections: '200',
  wal_level: 'logical',
  // Removing a shard publishes it to every other shard at once, and adding one subscribes it to every other: per
  // pair one stream plus up to two initial table copies, each with its own slot, sender and origin. Too few of
  // them do not fail a move, but each copy refused waits 5 s before it tries again.
  max_wal_senders: '64',
  max_replication_slots: '64',
  max_active_replication_origins: '64',
  max_worker_processes: '40',
  max_logical_replication_workers: '32',
  lc_messages: 'C',
  // The tuning chapter's top statements per shard; the module must be loaded when the server starts.
  shared_preload_libraries: 'pg_stat_statements',
};

/** What ALTER SYSTEM last wrote for `name` into the data directory's postgresql.auto.conf, or null. */
export async function autoConfSetting(dataDir: string, name: string): Promise<string | null> {
  const text = await fsp.readFile(path.join(dataDir, 'postgresql.auto.conf'), 'utf8').catch(() => '');
  let value: string | null = null;
  for (const line of text.split('\n')) {
    const m = /^\s*(\w+)\s*=\s*'((?:[^']|'')*)'/.exec(line);
    if (m?.[1] === name) value = m[2]!.replace(/''/g, "'");
  }
  return value;
}

/** A primary says "accept connections"; a standby, "accept read-only connections". */
const READY_LINE = /database system is ready to accept (read-only )?connections/;
const LOG_TAIL_LINES = 40;
/** A start refused while a killed server's processes leave its shared memory is tried again this often, this far apart. */
const SHM_RETRIES = 20;
const SHM_RETRY_MS = 250;

/**
 * One PostgreSQL server process from the embedded binaries, owned by this process. Emits
 * `exit(code, signal, expected)` when the postmaster ends; `expected` is false for a crash or a kill.
 */
export class EmbeddedServer extends EventEmitter {
  private child: ChildProcess | null = null;
  private logTail: string[] = [];
  private stopping = false;
  state: ServerState = 'stopped';
  /** The `max_connections` of the last start when it came from the data directory (the tuning chapter's override). */
  maxConnectionsOverride: string | null = null;

  constructor(readonly spec: EmbeddedServerSpec) {
    super();
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  get logFile(): string {
    return `${this.spec.dataDir}.log`;
  }

  get url(): string {
    return EmbeddedServer.urlFor(this.spec.port);
  }

  static urlFor(port: number): string {
    return `postgres://${PG_USER}:${PG_PASSWORD}@127.0.0.1:${port}/${PG_DATABASE}`;
  }

  /**
   * Creates the data directory unless it already holds a cluster (data is kept across restarts): a copy of the
   * template when the spec names one, else initdb.
   */
  async init(): Promise<void> {
    if (fs.existsSync(path.join(this.spec.dataDir, 'PG_VERSION'))) return;
    await fsp.mkdir(path.dirname(this.spec.dataDir), { recursive: true });
    await fsp.rm(this.spec.dataDir, { recursive: true, force: true });
    if (!this.spec.initTemplate) return this.initdb(this.spec.dataDir);
    const template = await initdbTemplate(this.spec.initTemplate, (dir) => this.initdb(dir));
    await copyTemplate(template, this.spec.dataDir);
  }

  private async initdb(dataDir: string): Promise<void> {
    const { initdb } = await postgresBinaries();
    const runAs = await postgresRunAs();
    await fsp.mkdir(dataDir, { recursive: true, mode: 0o700 });
    if (runAs) await fsp.chown(dataDir, runAs.uid, runAs.gid);
    const pwFile = path.join(path.dirname(dataDir), `.${path.basename(dataDir)}.pw`);
    await fsp.writeFile(pwFile, `${PG_PASSWORD}\n`, { mode: 0o644 });
    try {
      await runToEnd(
        initdb,
        [`--pgdata=${dataDir}`, `--username=${PG_USER}`, `--pwfile=${pwFile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--locale=C', '--no-instructions'],
        runAs,
        `initdb for ${this.spec.name}`,
      );
    } finally {
      await fsp.rm(pwFile, { force: true });
    }
  }

  async start(): Promise<void> {
    // The processes of a server just killed may still be leaving its shared memory: PostgreSQL refuses to start
    // until they have, which is a matter of moments.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.startOnce();
      } catch (err) {
        if (attempt >= SHM_RETRIES || !(err instanceof ClusterError) || !/pre-existing shared memory block/.test(err.message)) throw err;
        await new Promise((r) => setTimeout(r, SHM_RETRY_MS));
      }
    }
  }

  private async startOnce(): Promise<void> {
    if (this.child) return;
    await assertPortFree(this.spec.port, this.spec.name);
    await assertDataDirFree(this.spec.dataDir, this.spec.name);
    const { postgres } = await postgresBinaries();
    const runAs = await postgresRunAs();
    // The command line outranks ALTER SYSTEM, so a max_connections the learner set (postgresql.auto.conf) is put
    // there instead of the lab's default: it lasts across restarts of the shard and of the lab until reset.
    this.maxConnectionsOverride = await autoConfSetting(this.spec.dataDir, 'max_connections');
    const override = this.maxConnectionsOverride === null ? {} : { max_connections: this.maxConnectionsOverride };
    const settings = { ...DEFAULT_SETTINGS, ...override, ...this.spec.settings, port: String(this.spec.port) };
    const args = ['-D', this.spec.dataDir, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
    const log = fs.createWriteStream(this.logFile, { flags: 'a' });
    this.logTail = [];
    this.stopping = false;
    this.state = 'starting';
    const child = spawn(postgres, args, {
      ...(runAs ?? {}),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C' },
    });
    this.child = child;

    await new Promise<void>((resolve, reject) => {
      let ready = false;
      const onData = (chunk: Buffer): void => {
        const text = chunk.toString('utf8');
        log.write(text);
        for (const line of text.split('\n')) if (line.trim()) this.pushLog(line);
        if (!ready && READY_LINE.test(text)) {
          ready = true;
          this.state = 'running';
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('error', (err) => reject(new ClusterError(`${this.spec.name}: could not run postgres: ${err.message}`)));
      // 'close' comes after the last output; ending the log at 'exit' could drop (or fail on) late lines.
      child.once('close', () => log.end());
      child.once('exit', (code, signal) => {
        const expected = this.stopping;
        this.child = null;
        this.state = 'stopped';
        if (!ready) reject(this.startFailure(code, signal));
        else this.emit('exit', code, signal, expected);
      });
    });
    await this.ensureDatabase();
  }

  /** Fast shutdown (SIGINT) of this server's postmaster by its pid, escalating to SIGKILL after the timeout. */
  async stop(timeoutMs = 15_000): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    this.stopping = true;
    this.state = 'stopping';
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGINT');
    // A paused (SIGSTOPped) server cannot act on SIGINT until it is continued.
    await this.signal('SIGCONT').catch(() => undefined);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }

  /** Kills the server outright (postmaster and backends, by pid) as an expected stop: fencing off a failed primary. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    this.stopping = true;
    this.state = 'stopping';
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    await this.signal('SIGKILL');
    await exited;
  }

  /**
   * Fault injection (SIGKILL, SIGSTOP, SIGCONT) on the postmaster and each of its child processes, by pid.
   * Every PostgreSQL backend leads its own process group, so signalling the postmaster alone would leave its
   * backends answering on their open connections. The postmaster goes first when stopping (it must not fork
   * more) and last when continuing.
   */
  async signal(sig: NodeJS.Signals): Promise<void> {
    const pid = this.child?.pid;
    if (!pid || this.child?.exitCode !== null) throw new ClusterError(`${this.spec.name} is not running.`);
    // A killed postmaster's children are handed to init at once and could no longer be listed as its own: it is
    // stopped first (it can fork no more), its children are listed and killed, and it dies last.
    if (sig === 'SIGKILL') process.kill(pid, 'SIGSTOP');
    else if (sig !== 'SIGCONT') process.kill(pid, sig);
    for (const child of await childPids(pid)) {
      try {
        process.kill(child, sig);
      } catch {
        // It ended between the listing and the signal.
      }
    }
    if (sig === 'SIGCONT' || sig === 'SIGKILL') process.kill(pid, sig);
  }

  recentLog(): string[] {
    return [...this.logTail];
  }

  private pushLog(line: string): void {
    this.logTail.push(line);
    if (this.logTail.length > LOG_TAIL_LINES) this.logTail.shift();
  }

  private startFailure(code: number | null, signal: NodeJS.Signals | null): ClusterError {
    const log = this.logTail.join('\n');
    const name = this.spec.name;
    if (/could not bind .*Address already in use/i.test(log)) {
      return new ClusterError(
        `${name}: port ${this.spec.port} is already in use. Stop whatever listens there, or choose other ports with LAB_SHARD_BASE_PORT.`,
      );
    }
    const locked = /lock file "postmaster.pid" already exists[\s\S]*?PID (\d+)/i.exec(log);
    if (locked) {
      return new ClusterError(
        `${name}: data directory ${this.spec.dataDir} is in use by another PostgreSQL (pid ${locked[1]}). ` +
          `Is another lab running? Stop it (make down) or use another LAB_DATA_DIR.`,
      );
    }
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    return new ClusterError(`${name}: PostgreSQL stopped during start-up (${how}). Last log lines:\n${log}\nFull log: ${this.logFile}`);
  }

  private async ensureDatabase(): Promise<void> {
    const client = new pg.Client({
      host: '127.0.0.1',
      port: this.spec.port,
      user: PG_USER,
      password: PG_PASSWORD,
      database: 'postgres',
    });
    await client.connect();
    try {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [PG_DATABASE]);
      if (!rowCount) await client.query(`CREATE DATABASE ${PG_DATABASE}`);
    } finally {
      await client.end();
    }
  }
}

async function assertPortFree(port: number, name: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new ClusterError(
              `${name}: port ${port} is already in use. Stop whatever listens there (another lab? run 'make down'), or choose other ports with LAB_SHARD_BASE_PORT.`,
            )
          : err,
      ),
    );
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

/** postmaster.pid names a live process: another server owns this directory. A stale file is PostgreSQL's to clear. */
async function assertDataDirFree(dataDir: string, name: string): Promise<void> {
  const pid = await postmasterPid(dataDir);
  if (pid !== null && isAlive(pid)) {
    throw new ClusterError(
      `${name}: data directory ${dataDir} is in use by another PostgreSQL (pid ${pid}). ` +
        `Is another lab running? Stop it (make down) or use another LAB_DATA_DIR.`,
    );
  }
}

/** The direct children of a process, from the process table (`ps`, on Linux and macOS alike). */
async function childPids(parent: number): Promise<number[]> {
  const { stdout } = await promisify(execFile)('ps', ['-A', '-o', 'pid=,ppid=']);
  return stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter(([pid, ppid]) => ppid === parent && Number.isInteger(pid))
    .map(([pid]) => pid!);
}

export async function postmasterPid(dataDir: string): Promise<number | null> {
  try {
    const first = (await fsp.readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0];
    const pid = Number(first);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function runToEnd(cmd: string, args: string[], runAs: RunAs | null, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...(runAs ?? {}), stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let output = '';
    child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', (err) => reject(new ClusterError(`${what} could not run: ${err.message}`)));
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new ClusterError(`${what} failed (exit code ${code}):\n${output.trim()}`))));
  });
}
