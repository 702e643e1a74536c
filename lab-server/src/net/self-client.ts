import http, { type IncomingMessage } from 'node:http';
import { ConflictError, UnavailableError } from '../domain/errors.js';
import { parseJsonText } from './json-text.js';

export interface SelfReply<T = unknown> {
  status: number;
  body: T;
  headers?: Headers;
}

/**
 * The lab calling its own HTTP API over loopback. "Solve it for me" and the terminal do exactly what a learner
 * could do by hand, through the same routes, so an API that another part of the lab adds later just works.
 */
export class SelfClient {
  constructor(
    readonly base: string,
    /** The lab's token when it listens beyond loopback: its own listener there may not be on loopback. */
    private readonly token: string | null = null,
  ) {}

  /** The address this request arrived on: the lab's own listener. */
  static from(req: IncomingMessage, token: string | null): SelfClient {
    const { localAddress, localPort } = req.socket;
    const host = !localAddress || localAddress === '0.0.0.0' || localAddress === '::' ? '127.0.0.1' : localAddress.replace(/^::ffff:/, '');
    return new SelfClient(`http://${host.includes(':') ? `[${host}]` : host}:${localPort}`, token);
  }

  /**
   * One request on a connection of its own. A kept-alive connection could be one that a retiring prefork
   * worker (or the primary letting go of the public port) closes just as the next request goes out on it, and
   * that request would fail without reaching the lab; a fresh loopback connection costs a fraction of a millisecond.
   */
  call<T = unknown>(method: string, path: string, body?: unknown, extra: Record<string, string> = {}): Promise<SelfReply<T>> {
    const headers: Record<string, string> = { accept: 'application/json', ...extra };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const data = body === undefined ? undefined : JSON.stringify(body);
    if (data !== undefined) headers['content-type'] = 'application/json';
    return new Promise((resolve, reject) => {
      const req = http.request(`${this.base}${path}`, { method, headers, agent: false }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('error', reject);
        res.on('end', () => {
          const replyHeaders = new Headers();
          for (const [name, value] of Object.entries(res.headers))
            if (value !== undefined) replyHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
          resolve({ status: res.statusCode ?? 0, body: parseJsonText(text) as T, headers: replyHeaders });
        });
      });
      req.on('error', reject);
      req.end(data);
    });
  }
}

export function errorMessage(reply: SelfReply): string {
  const b = reply.body as { error?: { message?: unknown } } | null;
  return typeof b?.error?.message === 'string' ? b.error.message : `HTTP ${reply.status}`;
}

/**
 * A reply the caller cannot go on with, as the lab's own error: a shard that is down stays a 503 naming it and a
 * refusal a 409 with its code, rather than an internal error; anything else says `what` failed and why.
 */
export function replyError(reply: SelfReply, what: string): Error {
  const b = reply.body as { error?: { code?: unknown; details?: unknown } } | null;
  const code = typeof b?.error?.code === 'string' ? b.error.code : `http_${reply.status}`;
  const details = b?.error?.details && typeof b.error.details === 'object' ? (b.error.details as Record<string, unknown>) : {};
  if (reply.status === 503) return new UnavailableError(code, errorMessage(reply), details);
  if (reply.status === 409) return new ConflictError(code, errorMessage(reply), details);
  return new Error(`${what}: ${errorMessage(reply)}`);
}
