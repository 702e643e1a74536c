import { performance } from 'node:perf_hooks';
import { ConflictError } from '../domain/errors.js';

/** The lab's own HTTP client, as far as the drill uses it: the messenger API (`/api/v1`), called as any client would. */
export interface ApiClient {
  call<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T; headers?: Headers }>;
}

export const SHARD_HEADER = 'x-lab-shard';
/** Creating users until every shard holds one: ids are random, so a shard can take a few tries (1 in 5 per try with 5 shards). */
const CREATE_TRIES_PER_SHARD = 30;

export interface AppRequest {
  shard: string;
  method: 'GET' | 'POST';
  path: string;
  status: number;
  ok: boolean;
  /** The API's error message, naming the shard and the missing column. */
  error: string | null;
  ms: number;
}

export interface AppRequestsReport {
  app_version: number;
  requests: AppRequest[];
  /** Shards where at least one request failed. */
  failed_shards: string[];
  verdict: string;
}

const errorOf = (body: unknown, status: number): string => {
  const m = (body as { error?: { message?: unknown } } | null)?.error?.message;
  return typeof m === 'string' ? m : `HTTP ${status}`;
};

/** One messenger user per shard, created through the API: the users whose requests the drill sends. */
export class DrillUsers {
  private readonly byShard = new Map<string, string>();

  async get(api: ApiClient, shards: string[]): Promise<Map<string, string>> {
    // A chapter reset restores the shards' data: forget users that are gone.
    for (const [shard, id] of [...this.byShard]) {
      const r = await api.call('GET', `/api/v1/users/${id}`);
      if (r.status !== 200 || r.headers?.get(SHARD_HEADER) !== shard) this.byShard.delete(shard);
    }
    for (let tries = 0; shards.some((s) => !this.byShard.has(s)) && tries < CREATE_TRIES_PER_SHARD * shards.length; tries++) {
      const r = await api.call<{ id: string }>('POST', '/api/v1/users', { first_name: 'Drill', last_name: 'Notes' });
      if (r.status !== 201) throw new ConflictError('users_failed', `Creating a drill user failed: ${errorOf(r.body, r.status)}`);
      const shard = r.headers?.get(SHARD_HEADER);
      if (shard && shards.includes(shard) && !this.byShard.has(shard)) this.byShard.set(shard, r.body.id);
    }
    const missing = shards.filter((s) => !this.byShard.has(s));
    if (missing.length > 0) throw new ConflictError('users_failed', `No user landed on ${missing.join(', ')}: is it on the ring?`);
    return new Map(shards.map((s) => [s, this.byShard.get(s)!]));
  }

  clear(): void {
    this.byShard.clear();
  }
}

/** One request of the notes feature, timed; never throws for an HTTP error (that is what the drill measures). */
export async function appRequest(api: ApiClient, shard: string, user: string, method: 'GET' | 'POST', version: number): Promise<AppRequest> {
  const path = `/api/v1/users/${user}/notes?app_version=${version}`;
  const t0 = performance.now();
  const r = await api.call(method, path, method === 'POST' ? { body: `note from app version ${version}`, priority: 1, tags: ['drill'] } : undefined);
  const ok = r.status < 400;
  return { shard, method, path, status: r.status, ok, error: ok ? null : errorOf(r.body, r.status), ms: performance.now() - t0 };
}

/** The new version's requests for a user on every shard: add a note, list the notes. */
export async function appRequests(api: ApiClient, users: Map<string, string>, version: number): Promise<AppRequestsReport> {
  const requests = (
    await Promise.all(
      [...users].map(async ([shard, user]) => [await appRequest(api, shard, user, 'POST', version), await appRequest(api, shard, user, 'GET', version)]),
    )
  ).flat();
  const failed = [...new Set(requests.filter((r) => !r.ok).map((r) => r.shard))];
  const verdict =
    failed.length === 0
      ? `Every request succeeded on every shard (${requests.length} requests).`
      : `The requests failed on ${failed.join(', ')} only; on ${[...users.keys()].filter((s) => !failed.includes(s)).join(', ') || 'no other shard'} they succeeded. Its users see errors while everyone else's work.`;
  return { app_version: version, requests, failed_shards: failed, verdict };
}
