import type pg from 'pg';
import { isUnavailable, ShardUnavailableError } from '../cluster/errors.js';
import { TUNABLE_PARAMETERS, type TunableParameter } from './parameters.js';

/** What tuning needs of a shard: its name and the lab's own (superuser) pool. */
export interface TunableShard {
  name: string;
  pool: pg.Pool;
}

export interface ParameterValue {
  name: TunableParameter;
  /** As PostgreSQL shows it (`SHOW`), with its unit. */
  setting: string;
  unit: string | null;
  /** Where the value in force comes from: default, configuration file (ALTER SYSTEM), command line, … */
  source: string;
  /** Set, but not in force until the server restarts. */
  pending_restart: boolean;
  /** postmaster: only at start; sighup: on reload; user / superuser: per session too. */
  context: string;
  description: string;
  /** PostgreSQL's compiled-in default, in the parameter's unit (kB, 8kB, ms, …). */
  boot_val: string | null;
  /** Set by ALTER SYSTEM (postgresql.auto.conf), i.e. by the lab, rather than by postgresql.conf or the command line. */
  altered: boolean;
  /** What postgresql.auto.conf says (the lab's ALTER SYSTEM), even when the command line outranks it; null when it says nothing. */
  file_setting: string | null;
}

export interface ShardParameters {
  shard: string;
  parameters: ParameterValue[];
}

/** PostgreSQL refused the value (wrong unit, out of range): the learner's input, not the lab, is at fault. */
export class ParameterValueError extends Error {
  constructor(
    readonly shard: string,
    message: string,
  ) {
    super(`${shard}: ${message}`);
  }
}

/** The lab's user may not run ALTER SYSTEM on this server (an external shard without the privilege). */
export class ParameterPrivilegeError extends Error {}

/** `fn` on a shard's pool; a shard that does not answer is named (HTTP 503), not an internal error. */
export async function onTunable<T>(s: TunableShard, fn: (pool: pg.Pool) => Promise<T>): Promise<T> {
  try {
    return await fn(s.pool);
  } catch (err) {
    throw isUnavailable(err) ? new ShardUnavailableError(s.name, err) : err;
  }
}

/** One shard's allowed parameters. */
function readShard(s: TunableShard): Promise<ShardParameters> {
  return onTunable(s, async (pool) => {
    const { rows } = await pool.query<Omit<ParameterValue, 'name'> & { name: TunableParameter }>(
      `SELECT name, current_setting(name) AS setting, unit, source, pending_restart, context, short_desc AS description, boot_val,
              coalesce(sourcefile LIKE '%postgresql.auto.conf', false) AS altered,
              (SELECT f.setting FROM pg_file_settings f WHERE f.name = s.name AND f.sourcefile LIKE '%postgresql.auto.conf'
                ORDER BY f.seqno DESC LIMIT 1) AS file_setting
         FROM pg_settings s WHERE name = ANY($1::text[]) ORDER BY name`,
      [TUNABLE_PARAMETERS],
    );
    return { shard: s.name, parameters: rows };
  });
}

/** The allowed parameters as every shard has them now. */
export async function readParameters(shards: readonly TunableShard[]): Promise<ShardParameters[]> {
  return Promise.all(shards.map(readShard));
}

/**
 * `read` on every shard at once; the shards that do not answer (a shard the learner stopped) are named instead
 * of failing the whole look, so a panel still shows the others.
 */
export async function onAnswering<T>(shards: readonly TunableShard[], read: (s: TunableShard) => Promise<T>): Promise<{ read: T[]; unanswered: string[] }> {
  const settled = await Promise.allSettled(shards.map(read));
  const done: T[] = [];
  const unanswered: string[] = [];
  settled.forEach((r, i) => {
    if (r.status === 'fulfilled') done.push(r.value);
    else if (r.reason instanceof ShardUnavailableError || isUnavailable(r.reason)) unanswered.push(shards[i]!.name);
    else throw r.reason;
  });
  return { read: done, unanswered };
}

/** The allowed parameters as the shards that answer have them, and the names of those that did not. */
export const readAnswering = (shards: readonly TunableShard[]) => onAnswering(shards, readShard);

/**
 * Sets (or with `value` null resets) one allowed parameter on the given shards, then reloads their
 * configuration. All shards are tried; the first refusal is reported after the others were set back.
 */
export async function setParameter(shards: readonly TunableShard[], name: TunableParameter, value: string | null): Promise<ShardParameters[]> {
  const before = await readParameters(shards);
  const done: TunableShard[] = [];
  try {
    for (const s of shards) {
      const client = await s.pool.connect();
      try {
        // ALTER SYSTEM takes no bind parameters: the name is from the allow-list, the value a quoted literal.
        await client.query(value === null ? `ALTER SYSTEM RESET ${name}` : `ALTER SYSTEM SET ${name} = ${client.escapeLiteral(value)}`);
        await reload(client);
      } catch (err) {
        throw refusal(s.name, err);
      } finally {
        client.release();
      }
      done.push(s);
    }
  } catch (err) {
    // All or nothing: shards already changed get their earlier value back.
    await Promise.all(done.map((s) => restore(s, name, before.find((b) => b.shard === s.name)!)));
    throw err;
  }
  return readParameters(shards);
}

/** Puts back every allowed parameter the lab set (ALTER SYSTEM) on these shards, one reload per shard. */
export async function resetParameters(shards: readonly TunableShard[]): Promise<void> {
  const now = await readParameters(shards);
  await Promise.all(
    shards.map(async (s) => {
      const set = now.find((n) => n.shard === s.name)!.parameters.filter((p) => p.altered || p.file_setting !== null);
      if (set.length === 0) return;
      const client = await s.pool.connect();
      try {
        for (const p of set) await client.query(`ALTER SYSTEM RESET ${p.name}`);
        await reload(client);
      } catch (err) {
        throw refusal(s.name, err);
      } finally {
        client.release();
      }
    }),
  );
}

function refusal(shard: string, err: unknown): Error {
  const e = err as { code?: string; message?: string };
  if (e.code === '42501') return new ParameterPrivilegeError(`${shard}: the lab's user may not run ALTER SYSTEM here (${e.message}).`);
  if (e.code === '22023' || e.code === '22P02' || e.code === '42704') return new ParameterValueError(shard, e.message ?? 'invalid value');
  return err instanceof Error ? err : new Error(String(err));
}

async function restore(s: TunableShard, name: TunableParameter, before: ShardParameters): Promise<void> {
  const was = before.parameters.find((p) => p.name === name);
  const sql = was?.source !== 'configuration file' ? `ALTER SYSTEM RESET ${name}` : `ALTER SYSTEM SET ${name} = '${was.setting.replace(/'/g, "''")}'`;
  const client = await s.pool.connect().catch(() => null);
  if (!client) return;
  try {
    await client.query(sql);
    await reload(client);
  } catch {
    // Best effort: the error the learner sees is the refusal that started this.
  } finally {
    client.release();
  }
}

/**
 * pg_reload_conf() only signals the postmaster. Once this session has re-read the files, the postmaster has
 * too and has signalled every other session, so what pg_settings shows next is what is in force.
 */
async function reload(client: pg.PoolClient): Promise<void> {
  const { rows } = await client.query<{ t: Date }>('SELECT clock_timestamp() AS t');
  await client.query('SELECT pg_reload_conf()');
  for (let i = 0; i < 100; i++) {
    const done = await client.query<{ ok: boolean }>('SELECT pg_conf_load_time() >= $1 AS ok', [rows[0]!.t]);
    if (done.rows[0]!.ok) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}
