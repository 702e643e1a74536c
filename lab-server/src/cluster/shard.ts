import type pg from 'pg';
import type { EmbeddedServer } from './embedded-server.js';
import type { HealthProbe } from './health.js';
import type { ReplicaLag } from './replica.js';

// The shard record every part of the cluster shares, what the cluster reports about it, and its names.

export type ShardStatus = 'starting' | 'up' | 'down' | 'paused';
/** embedded: this process runs the servers; attached: another lab process does (`make up`); external: LAB_SHARDS. */
export type ClusterMode = 'embedded' | 'attached' | 'external';

export interface Replica {
  readonly name: string;
  readonly url: string;
  readonly pool: pg.Pool;
  /** Null when another lab process runs it (attached mode). */
  readonly server: EmbeddedServer | null;
  readonly probe: HealthProbe;
  status: 'up' | 'down';
  /** Why it is down: the last probe's error, or how its server exited; null while up. */
  error: string | null;
  lag: ReplicaLag;
}

/**
 * One shard as the lab routes to it. Its primary's address, pool, server and probe change when a replica is
 * promoted; the id and name, which the ring routes by, never do.
 */
export interface Shard {
  readonly id: number;
  readonly name: string;
  url: string;
  readonly role: 'primary';
  pool: pg.Pool;
  server: EmbeddedServer | null;
  probe: HealthProbe;
  /** Which of the shard's two server directories holds the primary (see ShardSpec.slot). */
  slot: 0 | 1;
  status: ShardStatus;
  lastError: string | null;
  replica: Replica | null;
  /** Set while the shard is held (see Handover.hold): its queries wait for it rather than meet a server stopping. */
  handover: Promise<void> | null;
}

/**
 * Why a shard cannot serve at all, or null: paused, or its server not running (a server the lab runs), or down (one
 * it does not). A server the lab runs that misses a health probe under load is still running: that is no reason.
 */
export function stoppedAs(shard: Pick<Shard, 'status' | 'server'>): 'paused' | 'down' | null {
  if (shard.status === 'paused') return 'paused';
  if (shard.server ? shard.server.pid === null : shard.status === 'down') return 'down';
  return null;
}

/** The shards that cannot serve at all, each with why, and the sentence that names them ("shard-1 is down"). */
export function stoppedShards(shards: readonly Pick<Shard, 'name' | 'status' | 'server'>[]): { names: string[]; said: string } {
  const stopped = shards.flatMap((s) => {
    const how = stoppedAs(s);
    return how ? [{ name: s.name, how }] : [];
  });
  return { names: stopped.map((s) => s.name), said: stopped.map((s) => `${s.name} is ${s.how}`).join(', ') };
}

export interface ReplicaInfo {
  name: string;
  url: string;
  role: 'replica';
  status: 'up' | 'down';
  pid: number | null;
  lag_bytes: number | null;
  lag_seconds: number | null;
  state: string | null;
}

/** A shard's replica by address alone: what a process that runs no server needs to read from it. */
export interface ReplicaSpec {
  shard: number;
  url: string;
}

export interface ShardInfo {
  id: number;
  name: string;
  url: string;
  role: 'primary';
  status: ShardStatus;
  pid: number | null;
  replicas: ReplicaInfo[];
}

export type Log = (message: string) => void;

/** Work on a new shard's server before the cluster lists it (bringing its schema up to date). */
export type Prepare = (server: { name: string; url: string }) => Promise<void>;

export interface ClusterEvents {
  status: [shard: ShardInfo, previous: ShardStatus];
  shards: [shards: ShardInfo[]];
}

export const shardName = (id: number): string => `shard-${id}`;
export const shardIdOf = (name: string): number => Number(/^shard-(\d+)$/.exec(name)?.[1] ?? NaN);
export const replicaName = (shard: { name: string }): string => `${shard.name}-replica`;

/** Why `what` cannot be done in this mode, and what to do instead. */
export function notOwned(mode: ClusterMode, what: string): string {
  const hint =
    mode === 'attached'
      ? " The servers belong to the background cluster ('make up'): run 'make down', then 'make dev', which runs them itself."
      : ' LAB_SHARDS names servers the lab does not run: do it on your servers yourself (a replica with pg_basebackup, then `|replica=URL` beside its primary in LAB_SHARDS; a promotion with pg_promote(), then the new primary in LAB_SHARDS; a restart or a fault with your own tools), or unset LAB_SHARDS and run `make dev`, where the lab runs its own servers.';
  return `${what} needs the lab to run the shard servers itself; in ${mode} mode it does not.${hint}`;
}

export function toInfo(s: Shard): ShardInfo {
  const replicas: ReplicaInfo[] = s.replica
    ? [
        {
          name: s.replica.name,
          url: s.replica.url,
          role: 'replica',
          status: s.replica.status,
          pid: s.replica.server?.pid ?? null,
          lag_bytes: s.replica.lag.bytes,
          lag_seconds: s.replica.lag.seconds,
          state: s.replica.lag.state,
        },
      ]
    : [];
  return { id: s.id, name: s.name, url: s.url, role: s.role, status: s.status, pid: s.server?.pid ?? null, replicas };
}

/** A server address fit for a log line or an error: the password masked. */
export function redact(url: string): string {
  return url.replace(/:\/\/([^:@/]+):[^@/]*@/, '://$1:***@');
}
